"""A fixture folder of real documents and a small web site, seeded with variants of the
protected profile's data among decoys. ``EXPECTED_FOLDER`` and ``EXPECTED_SITE`` list every
seeded variant; anything else the scanner reports is a false alarm."""

from __future__ import annotations

import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from email.message import EmailMessage
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tests.conftest import PROFILE

EXPOSURE_PROFILE = replace(PROFILE, state="CA", role="mayor", usernames=("elena.at.home",),
                           past_addresses=("88 Oak St, Sacramento, CA 95814",))

# (file, kind, matched text) for every seeded variant in the folder.
EXPECTED_FOLDER = {
    ("notes.txt", "home_address", "4127 Larkspur Lane #2B"),
    ("notes.txt", "past_address", "88 Oak Street"),
    ("page.html", "phone", "916.555.0143"),
    ("page.html", "family", "Daniel Marsh"),
    ("agenda.pdf", "vehicle", "8 ABC 123"),
    ("agenda.pdf", "home_address", "forty-one twenty-seven Larkspur Lane"),
    ("scanned.pdf", "phone", "(916) 555-0143"),
    ("minutes.docx", "family", "Marsh, Sofia"),
    ("minutes.docx", "school", "Oakwood Elementary"),
    ("filings.xlsx", "name", "Elena Marsh"),
    ("filings.xlsx", "home_address", "4127 Larkspur Ln Apt 2B"),
    ("donors.csv", "phone", "nine one six five five five zero one four three"),
    ("donors.csv", "name", "E. Marsh"),
    ("mail.eml", "email", "elena.marsh.home at example dot net"),
    ("mail.eml", "vehicle", "8-ABC-123"),
}

NOTES = """Public comment log, week 41.
Resident says the mayor lives at 4127 Larkspur Lane #2B and parks outside.
She lived at 88 Oak Street before the election.
Neighbour at 4129 Larkspur Ln complained about leaves.
4127 Larkspur Ct is for sale.
City Hall, 100 Main St, Riverton CA 95820, opens at 8.
"""

PAGE = """<!doctype html><html><head><title>Council news</title>
<script>var phone = "916-555-0143";</script></head><body>
<h1>Council news</h1>
<p>Call her at 916.555.0143 after hours.</p>
<p>Office line (916) 555-0100.</p>
<p>Her husband Daniel Marsh coaches the under-10s. Dana Marsh, no relation, also spoke.</p>
</body></html>"""

AGENDA = """<html><body><h1>Agenda, 14 October</h1>
<p>Item 4: residential parking permit for plate 8 ABC 123 at forty-one twenty-seven Larkspur
Lane.</p><p>Item 5: permit for plate 8ABC124 at 4131 Larkspur Ln.</p></body></html>"""


def pdf_from_html(html: str) -> bytes:
    """A real text PDF, rendered by WeasyPrint."""
    from weasyprint import HTML

    return bytes(HTML(string=html).write_pdf())


def scanned_pdf(text: str) -> bytes:
    """An image-only PDF (a scanned page): only OCR can read it."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("L", (1700, 400), 255)
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 56)
    ImageDraw.Draw(image).text((60, 150), text, font=font, fill=0)
    out = io.BytesIO()
    image.save(out, "PDF", resolution=150)
    return out.getvalue()


def docx_bytes(paragraphs: list[str]) -> bytes:
    import docx

    document = docx.Document()
    for paragraph in paragraphs:
        document.add_paragraph(paragraph)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_bytes(rows: list[list[Any]], title: str = "Sheet") -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def eml_bytes() -> bytes:
    message = EmailMessage()
    message["From"] = "clerk@riverton.example.gov"
    message["To"] = "records@riverton.example.gov"
    message["Subject"] = "Forwarded tip"
    message.set_content("Someone wrote: contact her at elena.marsh.home at example dot net.\n"
                        "Not to be confused with info@riverton.example.gov.\n")
    message.add_attachment(b"Car seen: plate 8-ABC-123 in the driveway.\n", maintype="text",
                           subtype="plain", filename="tip.txt")
    return bytes(message)


def build_folder(folder: Path) -> Path:
    """The fixture folder: one file of each kind the scanner reads."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "notes.txt").write_text(NOTES, encoding="utf-8")
    (folder / "page.html").write_text(PAGE, encoding="utf-8")
    (folder / "agenda.pdf").write_bytes(pdf_from_html(AGENDA))
    (folder / "scanned.pdf").write_bytes(scanned_pdf("Contact: (916) 555-0143"))
    (folder / "minutes.docx").write_bytes(docx_bytes([
        "Minutes of the regular meeting.", "Marsh, Sofia spoke in public comment.",
        "She collects the children from Oakwood Elementary.", "Dan Marshall seconded."]))
    (folder / "filings.xlsx").write_bytes(xlsx_bytes([
        ["Contributor", "Address", "Amount"], ["Elena Marsh", "4127 Larkspur Ln Apt 2B", 250],
        ["J. Smith", "4131 Larkspur Ln", 100]]))
    (folder / "donors.csv").write_text(
        "name,phone\nE. Marsh,nine one six five five five zero one four three\n"
        "Elliot Marsh,916-555-0199\n", encoding="utf-8")
    (folder / "mail.eml").write_bytes(eml_bytes())
    (folder / "photo.jpg").write_bytes(b"\xff\xd8\xff not read")
    return folder


# ---- the web site ------------------------------------------------------------------------------
# (path, kind, matched text) for every seeded variant the crawl must find.
EXPECTED_SITE = {
    ("/about.html", "home_address", "Larkspur"),
    ("/about.html", "username", "elena.at.home"),
    ("/docs/packet.pdf", "family", "Sofia Marsh"),
    ("/docs/packet.pdf", "home_address", "4127 Larkspur Ln, Apt 2B"),
    ("/level1/level2.html", "phone", "916 555 0143"),
}
# Seeded where a polite crawler must not go (robots.txt, too deep, another host).
NOT_FETCHED = ("/private/secret.html", "/level1/level2/level3.html", "/elsewhere.html")


def build_site(root: Path, other: str) -> Path:
    """A small city site; ``other`` is the address of a second site it links to."""
    pages = {
        "robots.txt": "User-agent: *\nDisallow: /private/\n",
        "index.html": f"""<html><body><h1>Mayor Elena Marsh</h1><p>Welcome to Riverton.</p>
            <a href="about.html">About</a> <a href="/docs/packet.pdf">Agenda packet</a>
            <a href="private/secret.html">Staff</a> <a href="level1/index.html">More</a>
            <a href="{other}/elsewhere.html">Partner site</a> <a href="photo.png">photo</a>
            <a href="mailto:info@riverton.example.gov">Email us</a></body></html>""",
        "about.html": """<html><body><p>The Marsh family lives on Larkspur Lane, the blue house
            at the corner.</p><p>Follow her at @elena.at.home for family photos.</p>
            <p>4133 Larkspur Ln is the library annex.</p>
            <a href="https://social.example/@elena.at.home">personal</a></body></html>""",
        "private/secret.html": "<html><body>Home phone (916) 555-0143</body></html>",
        "level1/index.html": '<html><body><a href="level2.html">next</a></body></html>',
        "level1/level2.html": """<html><body>Reach her on 916 555 0143.
            <a href="level2/level3.html">deeper</a></body></html>""",
        "level1/level2/level3.html": "<html><body>She drives plate 8ABC123</body></html>",
    }
    for name, text in pages.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (root / "docs").mkdir(exist_ok=True)
    (root / "docs" / "packet.pdf").write_bytes(pdf_from_html(
        "<p>Speaker card: Sofia Marsh, 4127 Larkspur Ln, Apt 2B.</p>"
        "<p>Speaker card: Tom Hale, 4129 Larkspur Ln.</p>"))
    return root


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


@contextmanager
def serve(root: Path, log: list[str] | None = None,
          redirects: dict[str, str] | None = None) -> Iterator[str]:
    """Serve a folder on loopback; ``log`` collects every path requested, ``redirects`` maps
    paths to where they answer 302."""
    class Handler(_QuietHandler):
        def do_GET(self) -> None:
            if log is not None:
                log.append(self.path)
            if redirects and self.path in redirects:
                self.send_response(302)
                self.send_header("Location", redirects[self.path])
                self.end_headers()
                return
            super().do_GET()

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()

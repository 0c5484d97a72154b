"""Text and links from the documents a city publishes: PDF (scanned pages through OCR when
tesseract is installed), HTML, DOCX, XLSX, CSV, TXT and EML (with their attachments).

``extract(name, content)`` returns the document's text pieces and, for spreadsheets, CSV files
and the tables of HTML and Word documents, their rows cell by cell with the column headers (so
that an address split across the cells of one row can be read as one); a file it cannot read
raises ``ExtractError`` naming the file and the problem.
"""

from __future__ import annotations

import csv
import email
import email.policy
import io
import shutil
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import PurePath
from typing import Any

from civicshield.connectors.base import archive_problem

#: File endings the scanner reads.
SUPPORTED = (".pdf", ".html", ".htm", ".xhtml", ".docx", ".xlsx", ".csv", ".txt", ".text",
             ".md", ".eml")
#: A PDF page with fewer characters than this is taken for a scan and read by OCR.
OCR_BELOW_CHARS = 20
#: Seconds tesseract may spend on one scanned page, and the reader on one document.
OCR_PAGE_SECONDS = 30
MAX_DOCUMENT_SECONDS = 120
#: Pages of one PDF read at most (a hostile file can hold hundreds of thousands of empty pages).
MAX_PDF_PAGES = 5000
#: Scanned pages of one PDF read by OCR at most (each takes about a second).
MAX_OCR_PAGES = 100
#: Render scale for OCR (72 dpi times this).
OCR_SCALE = 300 / 72


class ExtractError(ValueError):
    """A document that cannot be read; the message names it."""


@dataclass(frozen=True)
class Cell:
    """One cell of a table row: its column (a letter or number), the column's header, its text."""

    column: str
    header: str
    text: str


@dataclass(frozen=True)
class TableRow:
    """One row of a table, and where it is ("sheet Residents, row 14", "table 2, row 3")."""

    place: str
    cells: tuple[Cell, ...]


@dataclass
class Extracted:
    """A document's text (one piece per page, sheet or part), its table rows and its links."""

    location: str
    pieces: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    rows: list[TableRow] = field(default_factory=list)
    ocr_pages: int = 0
    unread_pages: int = 0  # scanned pages left unread because tesseract is not installed
    limits: list[str] = field(default_factory=list)  # what a reading limit left unread

    @property
    def text(self) -> str:
        """All pieces, one after the other."""
        return "\n\n".join(self.pieces)


def kind_of(name: str, content_type: str = "") -> str:
    """The reader for a file name or an HTTP content type ('' when not supported)."""
    content_type = content_type.split(";")[0].strip().lower()
    by_type = {"application/pdf": ".pdf", "text/html": ".html", "application/xhtml+xml": ".html",
               "text/plain": ".txt", "text/csv": ".csv", "message/rfc822": ".eml",
               "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
               "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx"}
    if content_type in by_type:
        return by_type[content_type]
    suffix = PurePath(name.split("?")[0]).suffix.lower()
    if suffix in SUPPORTED:
        return {".htm": ".html", ".xhtml": ".html", ".text": ".txt", ".md": ".txt"}.get(suffix,
                                                                                       suffix)
    return ""


def extract(location: str, content: bytes, content_type: str = "") -> Extracted:
    """The text of one document, by its name or content type."""
    kind = kind_of(location, content_type)
    reader = _READERS.get(kind)
    if reader is None:
        raise ExtractError(f"{location}: not a kind of file the scanner reads "
                           f"({', '.join(SUPPORTED)})")
    out = Extracted(location)
    try:
        reader(content, out)
    except ExtractError:
        raise
    except Exception as exc:
        raise ExtractError(f"{location}: cannot be read as {kind[1:].upper()} "
                           f"({type(exc).__name__}: {str(exc)[:200]})") from exc
    return out


def decode(content: bytes) -> str:
    """Text from bytes: UTF-8 (with or without BOM), else Windows-1252."""
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")


def _html(content: bytes, out: Extracted) -> None:
    import lxml.html

    if not content.strip():
        return
    root = lxml.html.document_fromstring(content)
    for element in root.iter("script", "style", "noscript", "template"):
        element.drop_tree()
    out.links += [link for _el, attr, link, _pos in root.iterlinks()
                  if attr == "href" and link.strip()]
    for number, table in enumerate(list(root.iter("table")), start=1):
        if table.getparent() is None or any(a.tag == "table" for a in table.iterancestors()):
            continue  # nested tables are read as part of the outer one's cells
        grid = [[" ".join(c.text_content().split()) for c in tr.iter("td", "th")]
                for tr in table.iter("tr")]
        out.rows += table_rows(grid, f"table {number}", letters=False)
        table.drop_tree()
    for element in root.iter("br", "p", "div", "li", "tr", "td", "th", "h1", "h2", "h3", "h4"):
        element.tail = "\n" + (element.tail or "")
    out.pieces.append(root.text_content())


def _pdf(content: bytes, out: Extracted) -> None:
    import pypdfium2

    document = pypdfium2.PdfDocument(content)
    skipped_scans = 0
    try:
        total = len(document)
        if total > MAX_PDF_PAGES:
            out.limits.append(f"{out.location}: {total} pages; only the first {MAX_PDF_PAGES} "
                              "were read (the limit for one document)")
        started = time.monotonic()
        for index in range(min(total, MAX_PDF_PAGES)):
            if time.monotonic() - started > MAX_DOCUMENT_SECONDS:
                out.limits.append(f"{out.location}: reading stopped after "
                                  f"{MAX_DOCUMENT_SECONDS} s at page {index + 1} of {total} "
                                  "(the time one document may take)")
                break
            page = document[index]
            # PDFium marks a hyphen that ends a line as U+FFFE; keep it as a hyphen.
            text = page.get_textpage().get_text_range().replace("\ufffe", "-")
            if len(text.strip()) < OCR_BELOW_CHARS:
                if not ocr_available():
                    out.unread_pages += 1
                elif out.ocr_pages >= MAX_OCR_PAGES:
                    skipped_scans += 1
                else:
                    try:
                        text = _ocr(page)
                    except RuntimeError:  # tesseract ran past its time on this page
                        out.limits.append(f"{out.location}: page {index + 1} took more than "
                                          f"{OCR_PAGE_SECONDS} s to read by OCR; skipped")
                        text = ""
                    out.ocr_pages += 1
            out.pieces.append(text)
            out.links += _pdf_links(page)
    finally:
        document.close()
    if skipped_scans:
        out.limits.append(f"{out.location}: {skipped_scans} more scanned page(s) not read; OCR "
                          f"reads at most {MAX_OCR_PAGES} pages of one document")


def _pdf_links(page: Any) -> list[str]:
    import pypdfium2.raw as pdfium_c

    links: list[str] = []
    index = 0
    while True:
        annotation = pdfium_c.FPDFPage_GetAnnot(page, index)
        if not annotation:
            return links
        try:
            link = pdfium_c.FPDFAnnot_GetLink(annotation)
            action = pdfium_c.FPDFLink_GetAction(link) if link else None
            if action:
                size = pdfium_c.FPDFAction_GetURIPath(page.pdf, action, None, 0)
                if size > 1:
                    buffer = (pdfium_c.c_char * size)()
                    pdfium_c.FPDFAction_GetURIPath(page.pdf, action, buffer, size)
                    links.append(bytes(buffer)[:size - 1].decode("latin-1"))
        finally:
            pdfium_c.FPDFPage_CloseAnnot(annotation)
        index += 1


def ocr_available() -> bool:
    """Whether scanned pages can be read (tesseract is installed)."""
    return shutil.which("tesseract") is not None


def _ocr(page: Any) -> str:
    import pytesseract

    image = page.render(scale=OCR_SCALE, grayscale=True).to_pil()
    return str(pytesseract.image_to_string(image, timeout=OCR_PAGE_SECONDS))


#: Most bytes an Office document's parts may expand to (a long agenda packet is far less).
MAX_OFFICE_BYTES = 200 * 2**20


def _office_guard(content: bytes, out: Extracted) -> None:
    """Refuse a Word or Excel file whose parts would expand too far, before opening it."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            problem = archive_problem(archive.infolist(), MAX_OFFICE_BYTES)
    except zipfile.BadZipFile:
        return  # the document reader names what is wrong with it
    if problem is not None:
        raise ExtractError(f"{out.location}: {problem}")


def _docx(content: bytes, out: Extracted) -> None:
    import docx

    _office_guard(content, out)
    document = docx.Document(io.BytesIO(content))
    out.pieces += [p.text for p in document.paragraphs]
    for number, table in enumerate(document.tables, start=1):
        grid = [[c.text for c in row.cells] for row in table.rows]
        out.rows += table_rows(grid, f"table {number}", letters=False)
    for section in document.sections:
        out.pieces += [p.text for part in (section.header, section.footer)
                       for p in part.paragraphs]
    out.links += [r.target_ref for r in document.part.rels.values()
                  if r.reltype.endswith("/hyperlink")]


def _xlsx(content: bytes, out: Extracted) -> None:
    import openpyxl

    _office_guard(content, out)
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    try:
        for sheet in book.worksheets:
            grid = (["" if v is None else str(v) for v in row]
                    for row in sheet.iter_rows(values_only=True))
            out.rows += table_rows(grid, f"sheet {sheet.title}", letters=True)
    finally:
        book.close()


def _csv(content: bytes, out: Extracted) -> None:
    text = decode(content)
    out.rows += table_rows(csv.reader(io.StringIO(text)), "", letters=False)


def _txt(content: bytes, out: Extracted) -> None:
    out.pieces.append(decode(content))


def _eml(content: bytes, out: Extracted) -> None:
    message = email.message_from_bytes(content, policy=email.policy.default)
    if not isinstance(message, EmailMessage) or not (message.keys() or message.get_payload()):
        raise ExtractError(f"{out.location}: not an email message")
    out.pieces.append("\n".join(f"{k}: {v}" for k, v in message.items()
                                if k.lower() in ("from", "to", "cc", "reply-to", "subject")))
    for number, part in enumerate(_leaves(message)):
        name = part.get_filename() or ""
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        ctype = part.get_content_type()
        if name or ctype not in ("text/plain", "text/html"):
            inner_name = f"{out.location}#{name or f'part-{number}'}"
            if kind_of(name, ctype):
                inner = extract(inner_name, payload, "" if name else ctype)
                out.pieces += inner.pieces
                out.links += inner.links
                out.rows += [TableRow(f"{name or 'attachment'}, {r.place}", r.cells)
                             for r in inner.rows]
            continue
        (_html if ctype == "text/html" else _txt)(payload, out)


def _leaves(message: EmailMessage) -> Iterator[EmailMessage]:
    for part in message.walk():
        if not part.is_multipart() and isinstance(part, EmailMessage):
            yield part


def table_rows(grid: Iterable[list[str]], where: str, *, letters: bool) -> list[TableRow]:
    """A table's rows, cell by cell; a first row of text only is taken as the headers. Rows
    are numbered as the file numbers them (row 1 is the first line)."""
    rows: list[TableRow] = []
    headers: list[str] = []
    for number, values in enumerate(grid, start=1):
        cells = [v.strip() for v in values]
        if not any(cells):
            continue
        if not rows and not headers and _looks_like_headers(cells):
            headers = cells  # and read as a row too: a first row of names is data as well
        place = f"{where}, row {number}" if where else f"row {number}"
        rows.append(TableRow(place, tuple(
            Cell(_column_name(i, letters=letters),
                 headers[i] if i < len(headers) and cells is not headers else "", text)
            for i, text in enumerate(cells) if text)))
    return rows


def _looks_like_headers(cells: list[str]) -> bool:
    filled = [c for c in cells if c]
    return len(filled) >= 2 and all(not any(ch.isdigit() for ch in c) and len(c) <= 40
                                    for c in filled)


def _column_name(index: int, *, letters: bool) -> str:
    if not letters:
        return str(index + 1)
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


_READERS: dict[str, Callable[[bytes, Extracted], None]] = {
    ".html": _html, ".pdf": _pdf, ".docx": _docx, ".xlsx": _xlsx, ".csv": _csv, ".txt": _txt,
    ".eml": _eml,
}

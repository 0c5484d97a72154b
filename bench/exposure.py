"""Exposure scan benchmark: a folder and a local web site of N documents (HTML and PDF, about
50 KB each), seeded with the protected profile's data here and there.

    python bench/exposure.py [--pages 1000] [--pdf-share 0.2] [--keep DIR]

Prints the corpus size, then seconds, pages/s and MB/s for a folder scan and for a crawl of the
same pages over loopback HTTP (delay 0: the polite one-second pause is for real sites), and the
peak RSS. Results go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from workspace import fresh_workspace

from civicshield.domain.access import cli_actor
from civicshield.exposure.crawl import CrawlLimits

WORDS = ("council", "budget", "agenda", "item", "motion", "second", "vote", "approve",
         "resident", "comment", "zoning", "permit", "parking", "library", "park", "water",
         "sewer", "street", "repair", "meeting", "minutes", "public", "hearing", "staff",
         "report", "recommendation", "ordinance", "resolution", "contract", "award", "bid",
         "fiscal", "year")
SEEDS = ("Speaker card: Daniel Marsh, 4127 Larkspur Lane #2B.",
         "Call back on nine one six five five five zero one four three.",
         "Permit for plate 8 ABC 123 at forty-one twenty-seven Larkspur Ln.",
         "Neighbour at 4129 Larkspur Ln, City Hall at 100 Main St (decoys).")


def paragraph(rng: random.Random) -> str:
    """A paragraph of meeting prose with a few numbers and phone-like strings."""
    words = [rng.choice(WORDS) for _ in range(rng.randint(40, 90))]
    phone = f"({rng.randint(200, 999)}) 555-{rng.randint(0, 9999):04d}"
    words.insert(rng.randrange(len(words)), phone)
    words.insert(rng.randrange(len(words)), f"{rng.randint(10, 9999)} Main St")
    return " ".join(words).capitalize() + "."


def html_page(rng: random.Random, number: int, total: int, size: int) -> str:
    """One page of about ``size`` bytes linking to the next pages."""
    parts = [f"<html><head><title>Page {number}</title></head><body><h1>Minutes {number}</h1>"]
    while sum(map(len, parts)) < size:
        parts.append(f"<p>{paragraph(rng)}</p>")
        if rng.random() < 0.02:
            parts.append(f"<p>{rng.choice(SEEDS)}</p>")
    links = [(number * 3 + k) % total for k in (1, 2, 3)]
    parts += [f'<a href="page-{n:05d}.{"pdf" if n % 5 == 0 else "html"}">next</a>' for n in links]
    return "".join(parts) + "</body></html>"


def build_corpus(folder: Path, pages: int, pdf_share: float) -> int:
    """Write the pages (every 1/pdf_share-th one a PDF) and return the bytes written."""
    from weasyprint import HTML

    rng = random.Random(20261127)
    folder.mkdir(parents=True, exist_ok=True)
    every = max(1, round(1 / pdf_share)) if pdf_share else pages + 1
    total = 0
    for number in range(pages):
        if number % every == 0:
            html = html_page(rng, number, pages, 9_000)
            path = folder / f"page-{number:05d}.pdf"
            path.write_bytes(HTML(string=html).write_pdf())
        else:
            path = folder / f"page-{number:05d}.html"
            path.write_text(html_page(rng, number, pages, 55_000), encoding="utf-8")
        total += path.stat().st_size
    (folder / "index.html").write_text(
        "".join(f'<a href="page-{n:05d}.{"pdf" if n % every == 0 else "html"}">{n}</a>'
                for n in range(pages)), encoding="utf-8")
    return total


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description="Exposure scan benchmark")
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--pdf-share", type=float, default=0.2)
    parser.add_argument("--keep", type=Path, help="Build the corpus here and keep it.")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="civicshield-bench-exposure-"))
    corpus = args.keep or work / "corpus"
    started = time.perf_counter()
    size = build_corpus(corpus, args.pages, args.pdf_share)
    pdfs = len(list(corpus.glob("*.pdf")))
    print(f"corpus: {args.pages} pages ({pdfs} PDF, {args.pages - pdfs} HTML), "
          f"{size / 1e6:.1f} MB, built in {time.perf_counter() - started:.1f} s")
    (work / "ws").mkdir()
    service, _ = fresh_workspace(work / "ws", 0, {})

    started = time.perf_counter()
    report = service.exposure.scan(cli_actor(), [str(corpus)])
    seconds = time.perf_counter() - started
    print(f"folder scan: {report.documents} documents in {seconds:.1f} s = "
          f"{report.documents / seconds:.1f} pages/s, {size / 1e6 / seconds:.2f} MB/s, "
          f"{report.new_findings} findings")

    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(corpus)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    started = time.perf_counter()
    report = service.exposure.scan(
        cli_actor(), [base + "/index.html"],
        limits=CrawlLimits(depth=2, max_pages=args.pages + 1, delay=0))
    seconds = time.perf_counter() - started
    server.shutdown()
    print(f"crawl: {report.documents} pages in {seconds:.1f} s = "
          f"{report.documents / seconds:.1f} pages/s, {report.new_findings} new findings, "
          f"{len(report.errors)} errors")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak:.1f} MB")


if __name__ == "__main__":
    main()

"""A PDF is read up to a page limit, and OCR up to its own, each named in the scan's report
(issue 20, item 1: a 200,000-page PDF of near-empty pages ran past 600 s)."""

from __future__ import annotations

import io

import pytest

from civicshield.exposure import extract as extract_module
from civicshield.exposure.extract import extract


def _blank_pdf(pages: int) -> bytes:
    import pypdfium2

    document = pypdfium2.PdfDocument.new()
    for _ in range(pages):
        document.new_page(612, 792)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_pages_past_the_limit_are_not_read_and_the_report_says_so(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extract_module, "MAX_PDF_PAGES", 5)
    monkeypatch.setattr(extract_module, "ocr_available", lambda: False)
    doc = extract("agenda.pdf", _blank_pdf(8))
    assert len(doc.pieces) == 5 and doc.unread_pages == 5
    assert doc.limits == ["agenda.pdf: 8 pages; only the first 5 were read (the limit for one "
                          "document)"]


def test_ocr_stops_at_its_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extract_module, "MAX_OCR_PAGES", 2)
    monkeypatch.setattr(extract_module, "ocr_available", lambda: True)
    monkeypatch.setattr(extract_module, "_ocr", lambda page: "scanned text")
    doc = extract("scan.pdf", _blank_pdf(6))
    assert doc.ocr_pages == 2 and doc.pieces.count("scanned text") == 2
    assert doc.limits == ["scan.pdf: 4 more scanned page(s) not read; OCR reads at most 2 "
                          "pages of one document"]


def test_one_document_has_a_time_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(extract_module, "MAX_DOCUMENT_SECONDS", 0)
    monkeypatch.setattr(extract_module, "ocr_available", lambda: False)
    doc = extract("slow.pdf", _blank_pdf(4))
    assert doc.limits == ["slow.pdf: reading stopped after 0 s at page 1 of 4 (the time one "
                          "document may take)"]


def test_a_page_that_tesseract_cannot_read_in_time_is_skipped(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import pytesseract

    def too_slow(image: object, timeout: int = 0) -> str:
        assert timeout == extract_module.OCR_PAGE_SECONDS
        raise RuntimeError("Tesseract process timeout")

    monkeypatch.setattr(extract_module, "ocr_available", lambda: True)
    monkeypatch.setattr(pytesseract, "image_to_string", too_slow)
    doc = extract("scan.pdf", _blank_pdf(2))
    assert doc.limits[0] == "scan.pdf: page 1 took more than 30 s to read by OCR; skipped"

"""The scanner on real files and a real local web site: every seeded variant, no decoy."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from civicshield.app import CivicShield
from civicshield.domain.models import User
from civicshield.exposure.crawl import CrawlLimits
from civicshield.exposure.extract import ExtractError, extract, ocr_available
from tests.exposure.fixtures import (
    EXPECTED_FOLDER,
    EXPECTED_SITE,
    NOT_FETCHED,
    build_folder,
    build_site,
    serve,
)

NEED_OCR = os.environ.get("CIVICSHIELD_REQUIRE_OCR") == "1"


def _expected_folder() -> set[tuple[str, str, str]]:
    if ocr_available() or NEED_OCR:
        return EXPECTED_FOLDER
    return {e for e in EXPECTED_FOLDER if e[0] != "scanned.pdf"}


def _found(service: CivicShield, admin: User, base: str = "") -> set[tuple[str, str, str]]:
    return {(Path(f.location).name if not base else f.location.removeprefix(base), f.kind,
             f.matched) for f in service.exposure.findings(admin)}


def test_folder_scan_finds_every_seeded_variant_and_no_decoy(
        exposure_service: CivicShield, admin: User, tmp_path: Path) -> None:
    folder = build_folder(tmp_path / "packets")
    report = exposure_service.exposure.scan(admin, local_files=True, targets=[str(folder)])
    assert report.documents == 8  # photo.jpg is not a document the scanner reads
    assert report.errors == ()
    assert _found(exposure_service, admin) == _expected_folder()


def test_scanned_pages_are_read_by_ocr(tmp_path: Path) -> None:
    if not ocr_available() and not NEED_OCR:
        pytest.skip("tesseract is not installed")
    from tests.exposure.fixtures import scanned_pdf

    doc = extract("scan.pdf", scanned_pdf("Contact: (916) 555-0143"))
    assert doc.ocr_pages == 1
    assert "555-0143" in doc.text


def test_site_crawl_finds_seeded_variants_and_stays_polite(
        exposure_service: CivicShield, admin: User, tmp_path: Path) -> None:
    other_root = tmp_path / "other"
    other_root.mkdir()
    (other_root / "elsewhere.html").write_text("<p>Home phone (916) 555-0143</p>")
    site_log: list[str] = []
    other_log: list[str] = []
    with serve(other_root, other_log) as other:
        site = build_site(tmp_path / "site", other)
        with serve(site, site_log) as base:
            report = exposure_service.exposure.scan(
                admin, [base + "/index.html"], limits=CrawlLimits(depth=2, max_pages=50,
                                                                  delay=0))
            assert _found(exposure_service, admin, base) == EXPECTED_SITE
    assert other_log == []  # another host is never fetched
    assert site_log[0] == "/robots.txt"
    for path in NOT_FETCHED:
        assert path not in site_log
    assert "/photo.png" not in site_log  # images are not fetched
    assert any("robots.txt" in e and "/private/secret.html" in e for e in report.errors)


def test_crawl_stops_at_the_page_limit(exposure_service: CivicShield, admin: User,
                                       tmp_path: Path) -> None:
    log: list[str] = []
    with serve(build_site(tmp_path / "site", "http://127.0.0.1:9"), log) as base:
        report = exposure_service.exposure.scan(admin, [base + "/index.html"],
                                                limits=CrawlLimits(depth=5, max_pages=2,
                                                                   delay=0))
    assert report.documents == 2
    assert [p for p in log if p != "/robots.txt"] == ["/index.html", "/about.html"]


def test_a_crawl_waits_between_requests(tmp_path: Path) -> None:
    from civicshield.exposure.crawl import crawl, make_client

    pauses: list[float] = []
    root = build_site(tmp_path / "site", "http://127.0.0.1:9")
    (root / "robots.txt").write_text("User-agent: *\nCrawl-delay: 3\nDisallow: /private/\n")
    with serve(root) as base, make_client(frozenset({"127.0.0.1"})) as client:
        pages = list(crawl(client, base + "/index.html",
                           CrawlLimits(depth=1, max_pages=3, delay=1.0), lambda e: None,
                           sleep=pauses.append))
    assert len(pages) == 3
    assert pauses == [3.0, 3.0]  # robots.txt asked for more than our default second


def test_official_pages_flag_links_and_private_details(
        exposure_service: CivicShield, admin: User, tmp_path: Path) -> None:
    with serve(build_site(tmp_path / "site", "http://127.0.0.1:9")) as base:
        exposure_service.exposure.scan(admin, [base + "/about.html"], official=True)
    found = exposure_service.exposure.findings(admin)
    assert {(f.kind, f.detail) for f in found} == {
        ("separation", "home_address"), ("separation", "username")}
    links = [f for f in found if f.matched.startswith("https://social.example/")]
    assert links and "links to a personal account" in links[0].why


def test_scanning_again_adds_nothing_new(exposure_service: CivicShield, admin: User,
                                         tmp_path: Path) -> None:
    folder = build_folder(tmp_path / "packets")
    first = exposure_service.exposure.scan(admin, local_files=True, targets=[str(folder)])
    second = exposure_service.exposure.scan(admin, local_files=True, targets=[str(folder)])
    assert second.new_findings == 0
    assert second.seen_again == first.new_findings
    assert len(exposure_service.exposure.findings(admin)) == first.new_findings


def test_unreadable_files_are_named_and_the_rest_is_scanned(
        sqlite_exposure: CivicShield, admin: User, tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "broken.pdf").write_bytes(b"%PDF-1.7 this is not really a PDF")
    (folder / "broken.docx").write_bytes(b"PK\x03\x04 not a zip")
    (folder / "good.txt").write_text("She lives at 4127 Larkspur Ln Apt 2B.")
    report = sqlite_exposure.exposure.scan(admin, [str(folder), str(tmp_path / "missing")],
                                           local_files=True)
    assert report.documents == 1 and report.new_findings == 1
    assert any(e.startswith(f"{folder / 'broken.pdf'}: cannot be read as PDF")
               for e in report.errors)
    assert any(e.startswith(f"{folder / 'broken.docx'}: cannot be read as DOCX")
               for e in report.errors)
    assert any("missing: no such file or folder" in e for e in report.errors)


def test_a_scan_that_fails_while_storing_leaves_the_store_as_it_was(
        sqlite_exposure: CivicShield, admin: User, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from civicshield.storage.exposure import SqlExposureRepository

    folder = build_folder(tmp_path / "packets")
    original = SqlExposureRepository.record_finding
    calls = []

    def failing(self: SqlExposureRepository, *args: object, **kwargs: object) -> object:
        calls.append(1)
        if len(calls) == 3:
            raise OSError("disk full")
        return original(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(SqlExposureRepository, "record_finding", failing)
    with pytest.raises(OSError, match="disk full"):
        sqlite_exposure.exposure.scan(admin, local_files=True, targets=[str(folder)])
    monkeypatch.undo()
    assert sqlite_exposure.exposure.findings(admin) == []
    assert sqlite_exposure.exposure.scans(admin) == []


@pytest.mark.parametrize(("name", "content", "needle"), [
    ("a.html", b"<html><body><p>One</p><script>var secret = 1;</script>Two</body></html>",
     "Two"),
    ("a.txt", "caf\u00e9 4127".encode("cp1252"), "caf\u00e9"),
    ("a.csv", b"a,b\r\n1,\"x, y\"\r\n", "x, y"),
])
def test_text_formats(name: str, content: bytes, needle: str) -> None:
    doc = extract(name, content)
    cells = [c.text for row in doc.rows for c in row.cells]
    assert needle in doc.text or needle in cells
    assert "secret" not in doc.text


def test_unsupported_or_empty_input_is_refused_clearly() -> None:
    with pytest.raises(ExtractError, match=r"^photo\.jpg: not a kind of file"):
        extract("photo.jpg", b"\xff\xd8")
    with pytest.raises(ExtractError, match=r"^mail\.eml: not an email message"):
        extract("mail.eml", b"")


def test_without_tesseract_scanned_pages_are_reported_not_silently_skipped(
        sqlite_exposure: CivicShield, admin: User, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from civicshield.exposure import extract as extract_module
    from tests.exposure.fixtures import scanned_pdf

    monkeypatch.setattr(extract_module, "ocr_available", lambda: False)
    (tmp_path / "scan.pdf").write_bytes(scanned_pdf("Contact: (916) 555-0143"))
    report = sqlite_exposure.exposure.scan(admin, [str(tmp_path / "scan.pdf")],
                                           local_files=True)
    assert report.new_findings == 0
    assert report.errors == (f"{tmp_path / 'scan.pdf'}: 1 scanned page(s) not read; install "
                             "tesseract (apt-get install tesseract-ocr) to read them",)


def test_a_crawl_follows_redirects_on_the_site_but_never_off_it(tmp_path: Path) -> None:
    from civicshield.exposure.crawl import crawl, make_client

    other_root = tmp_path / "other"
    other_root.mkdir()
    (other_root / "x.html").write_text("<p>elsewhere</p>")
    other_log: list[str] = []
    errors: list[str] = []
    with serve(other_root, other_log) as other:
        root = tmp_path / "site"
        root.mkdir()
        (root / "about.html").write_text("<p>about</p>")
        (root / "index.html").write_text(
            '<a href="old">moved here</a> <a href="away">moved away</a>')
        redirects = {"/old": "/about.html", "/away": other + "/x.html"}
        with serve(root, redirects=redirects) as base, \
                make_client(frozenset({"127.0.0.1"})) as client:
            pages = [p.url.removeprefix(base) for p in crawl(
                client, base + "/index.html", CrawlLimits(depth=2, max_pages=10, delay=0),
                errors.append)]
    assert pages == ["/index.html", "/about.html"]
    assert other_log == []
    assert any("/away: redirects to" in e and "another site, not followed" in e for e in errors)

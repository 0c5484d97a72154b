"""`civicshield exposure ...` as a user runs it: a real process, real files, a local site."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from tests.exposure.fixtures import EXPOSURE_PROFILE, build_folder, serve
from tests.test_cli import cli


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli-exposure")
    cli("init", data=folder / "data")
    profile = folder / "profile.json"
    profile.write_text(EXPOSURE_PROFILE.to_json(), encoding="utf-8")
    cli("principals", "add", "mayor", "Elena Marsh", "--title", "Mayor of Riverton",
        "--profile", str(profile), data=folder / "data")
    return folder / "data"


def test_scan_draft_send_and_see_it_overdue(data: Path, tmp_path: Path) -> None:
    folder = build_folder(tmp_path / "packets")
    out = cli("exposure", "scan", str(folder), data=data).stdout
    assert re.search(r"8 document\(s\) read.*1[45] new exposure", out)

    site = tmp_path / "site"
    site.mkdir()
    (site / "p.html").write_text("<p>She lives at 4127 Larkspur Ln Apt 2B.</p>")
    with serve(site) as base:
        cli("exposure", "scan", base + "/p.html", data=data)
    listing = cli("exposure", "findings", data=data).stdout
    found = re.search(r"#(\d+) \[open\] Home address \(0\.97\) at http://127", listing)
    assert found, listing

    letter = tmp_path / "demand.pdf"
    drafted = cli("exposure", "draft", "--finding", found.group(1), "--out", str(letter),
                  data=data).stdout
    request_id = re.search(r"Drafted request (\d+)", drafted).group(1)  # type: ignore[union-attr]
    assert "Government Code section 7928.215" in drafted
    text = subprocess.run(["pdftotext", str(letter), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "48 hours" in text

    refused = cli("exposure", "mark", request_id, "sent", data=data, check=False)
    assert refused.returncode == 1 and "parts to fill in" in refused.stderr

    body = tmp_path / "body.txt"
    cli("exposure", "letter", request_id, str(body), data=data)
    assert "[[signature]]" in body.read_text()

    laws = cli("exposure", "laws", data=data).stdout
    assert "hi-hb-1916" in laws and "UNVERIFIED" in laws
    report = tmp_path / "exposure.pdf"
    cli("exposure", "report", str(report), data=data)
    assert report.read_bytes().startswith(b"%PDF")
    brokers = cli("exposure", "brokers", "--search", "spokeo", data=data).stdout
    assert "spokeo.com" in brokers and "unchecked" in brokers
    cli("exposure", "broker-mark", "spokeo.com", "found", data=data)
    assert "found" in cli("exposure", "brokers", "--search", "spokeo", data=data).stdout
    shown = cli("exposure", "profile", data=data).stdout
    assert "elena.at.home" in shown


def test_overdue_request_from_the_terminal(data: Path, tmp_path: Path) -> None:
    cli("exposure", "broker-mark", "intelius.com", "found", data=data)
    drafted = cli("exposure", "draft", "--broker", "intelius.com", "--basis", "broker-optout",
                  data=data).stdout
    request_id = re.search(r"Drafted request (\d+)", drafted).group(1)  # type: ignore[union-attr]
    body = tmp_path / "letter.txt"
    cli("exposure", "letter", request_id, str(body), data=data)
    assert "[[signature]]" in body.read_text()
    refused = cli("exposure", "mark", request_id, "sent", data=data, check=False)
    assert "[[signature]]" in refused.stderr
    bad = cli("exposure", "mark", request_id, "sent", "--on", "yesterday", data=data,
              check=False)
    assert bad.returncode == 2 and "yesterday" in bad.stderr

    body.write_text(body.read_text().replace("[[signature]]", "Elena Marsh"))
    saved = cli("exposure", "edit", request_id, str(body), data=data).stdout
    assert "still to fill in" not in saved
    sent = cli("exposure", "mark", request_id, "sent", "--on", "2026-01-05", data=data).stdout
    assert "is sent, due 2026-01-08" in sent  # the catalogue: Intelius takes about 3 days
    overdue = cli("exposure", "requests", "--overdue", data=data).stdout
    assert re.search(rf"#{request_id} sent .*OVERDUE", overdue)

"""Importing from the dashboard: one or many files, a form export's columns matched once per
form and remembered, progress and the result on the page, mistakes named by line."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from civicshield.app import CivicShield
from civicshield.domain.models import ReviewState
from civicshield.domain.ports import QueueFilter
from tests.conftest import SAMPLES
from tests.web.conftest import csrf_of

Client = Callable[[str], TestClient]
CONTACT = SAMPLES / "forms" / "city-contact-form.csv"


def send(client: TestClient, *paths: Path, **options: str) -> str:
    """Upload files on the Import page; the job page's address."""
    token = csrf_of(client.get("/import").text)
    files = [("files", (p.name, p.read_bytes(), "application/octet-stream")) for p in paths]
    done = client.post("/import", data={"csrf_token": token, **options}, files=files,
                       follow_redirects=False)
    assert done.status_code == 303, done.text
    return str(done.headers["location"])


def settled(client: TestClient, job: str) -> str:
    """The job page once no file is waiting or being read."""
    deadline = time.monotonic() + 60
    while True:
        page = client.get(job).text
        if "data-refresh" not in page or time.monotonic() > deadline:
            return page
        time.sleep(0.1)


def webforms(service: CivicShield) -> int:
    return sum(1 for m in service.triage.queue(QueueFilter(state=ReviewState.NEW),
                                               limit=500)[0] if m.platform == "webform")


def test_a_contact_form_is_mapped_once_then_read_again_without_asking(
        client_for: Client, web_service: CivicShield) -> None:
    client = client_for("analyst")
    before = webforms(web_service)
    job = send(client, CONTACT)
    page = settled(client, job)
    assert "Match the columns" in page
    mapping = client.get(job + "/0/map").text
    for header in ("Submitted", "Name", "Email", "Message"):
        assert f"<th scope=\"col\">{header}</th>" in mapping  # the file's headers ...
    assert "The crosswalk on Elm Street needs a light." in mapping  # ... and first rows
    assert '<option value="Submitted" selected>' in mapping  # the guess, to confirm
    assert webforms(web_service) == before  # nothing imported before the columns are matched
    done = client.post(job + "/0/map", data={
        "csrf_token": csrf_of(mapping), "col_created_at": "Submitted", "col_text": "Message",
        "col_author_email": "Email", "col_author_name": "Name",
        "source_name": "City contact form"}, follow_redirects=False)
    assert done.status_code == 303
    result = settled(client, job)
    assert "<strong>2</strong> added, 0 already stored" in result
    assert webforms(web_service) == before + 2
    sender = web_service.triage.search_senders("g.voss@example.org")
    assert [s.platform for s in sender] == ["webform"] and sender[0].display_name == "Gary Voss"
    again = settled(client, send(client, CONTACT))
    assert "Read with the columns saved for “City contact form”" in again
    assert "<strong>0</strong> added, 2 already stored" in again


def test_a_mapping_without_the_message_column_is_sent_back_in_words(
        client_for: Client) -> None:
    client = client_for("analyst")
    job = send(client, CONTACT)
    mapping = client.get(job + "/0/map").text
    refused = client.post(job + "/0/map", data={"csrf_token": csrf_of(mapping),
                                                "col_created_at": "Submitted"})
    assert refused.status_code == 400
    assert "choose the column for “The message”" in refused.text


def test_several_files_at_once_each_with_its_format_guessed(client_for: Client,
                                                            web_service: CivicShield) -> None:
    client = client_for("analyst")
    page = settled(client, send(client, SAMPLES / "mailbox.mbox", SAMPLES / "generic.csv"))
    assert page.count("import-file") == 2
    assert page.count('data-state="done"') == 2
    assert "mbox" in page and "csv" in page


def test_a_malformed_file_is_refused_by_line_and_can_be_retried_setting_rows_aside(
        client_for: Client, web_service: CivicShield) -> None:
    client = client_for("analyst")
    count = web_service.triage.count(QueueFilter())
    job = send(client, SAMPLES / "malformed.csv")
    page = settled(client, job)
    assert 'data-state="refused"' in page and "line" in page
    assert "Nothing from this file was stored." in page
    assert web_service.triage.count(QueueFilter()) == count
    client.post(job + "/0/retry", data={"csrf_token": csrf_of(page)})
    again = settled(client, job)
    assert "set aside" in again and 'data-state="done"' in again


def test_a_file_that_is_no_export_gets_one_plain_line(client_for: Client,
                                                     tmp_path: Path) -> None:
    junk = tmp_path / "holiday.png"
    junk.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    client = client_for("analyst")
    page = settled(client, send(client, junk))
    assert "holiday.png: cannot tell the format" in page


def test_held_uploads_are_encrypted_and_gone_after_the_import(
        client_for: Client, web_service: CivicShield) -> None:
    client = client_for("analyst")
    job = send(client, CONTACT)
    settled(client, job)
    held = web_service.settings.data_dir / "uploads" / "held"
    [data] = list(held.glob("*/data"))
    assert b"Gary Voss" not in data.read_bytes() and b"Submitted" not in data.read_bytes()
    mapping = client.get(job + "/0/map").text
    client.post(job + "/0/map", data={"csrf_token": csrf_of(mapping), "col_created_at":
                                      "Submitted", "col_text": "Message"})
    settled(client, job)
    assert list(held.iterdir()) == []


def test_only_analysts_import_and_only_their_own_jobs_show(client_for: Client) -> None:
    assert client_for("viewer").get("/import").status_code == 403
    analyst = client_for("analyst")
    job = send(analyst, CONTACT)
    assert client_for("analyst").get(job).status_code == 200  # the same person, new session
    assert re.search(r"/import/jobs/\w+", job)
    stranger = client_for("admin")
    assert stranger.get(job).status_code == 200  # admins see every import

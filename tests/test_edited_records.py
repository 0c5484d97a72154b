"""An edited record (the same platform id, other words) is kept as a new version linked to the
first: both are stored, the queue shows the newest, the message page lists every version."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient

from civicshield.app import CivicShield
from civicshield.domain.access import cli_actor
from civicshield.domain.ports import QueueFilter


def export(path: Path, text: str) -> Path:
    path.write_text(json.dumps({
        "id": "post-77", "platform": "bluesky", "created_at": "2026-11-20T10:00:00Z",
        "author": {"id": "did:plc:editor", "handle": "@editor.bsky.social"},
        "text": text, "kind": "reply"}) + "\n", encoding="utf-8")
    return path


def test_an_edited_post_is_a_new_version(service: CivicShield, tmp_path: Path) -> None:
    admin = cli_actor()
    first = service.triage.import_file(admin, export(tmp_path / "a.jsonl", "See you soon."))
    again = service.triage.import_file(admin, export(tmp_path / "b.jsonl", "See you soon."))
    edited = service.triage.import_file(admin, export(
        tmp_path / "c.jsonl", "See you soon. I know where you live and I will hurt you."))
    assert (first.added, again.added, again.skipped, edited.added) == (1, 0, 1, 1)
    rows, total = service.triage.queue(QueueFilter(), limit=50)
    mine = [m for m in rows if m.external_id.startswith("post-77")]
    assert total == 1 and len(mine) == 1  # the queue shows the newest version only
    newest = mine[0]
    assert newest.external_id == "post-77#edit2" and "threat" in newest.flags
    versions = service.triage.versions(newest.id)
    assert [old for _, _, old in versions] == [True, False]
    assert service.triage.message(versions[0][0]).text == "See you soon."  # kept as evidence
    third = service.triage.import_file(admin, export(tmp_path / "d.jsonl", "Deleted."))
    assert third.added == 1
    assert [old for _, _, old in service.triage.versions(newest.id)] == [True, True, False]


def test_the_message_page_lists_the_versions(sqlite_service: CivicShield, tmp_path: Path) -> None:
    from civicshield.domain.models import Role
    from civicshield.web.app import create_app
    from tests.web.conftest import PASSWORD, login

    admin = cli_actor()
    sqlite_service.accounts.add_user(admin, "analyst", Role.ANALYST, PASSWORD)
    sqlite_service.triage.import_file(admin, export(tmp_path / "a.jsonl", "First words."))
    sqlite_service.triage.import_file(admin, export(tmp_path / "b.jsonl", "Second words."))
    client = login(TestClient(create_app(sqlite_service)), "analyst")
    newest = sqlite_service.triage.queue(QueueFilter(), limit=5)[0][0]
    page = client.get(f"/messages/{newest.id}").text
    assert "every version is kept" in page and "version 2 (the newest)" in page
    assert "version 1</a>" in page

"""A bulk import stores a large archive without judging it, all or nothing and only once; the
queue says how many wait, and the next re-analysis judges them as an ordinary import would."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from civicshield.app import CivicShield
from civicshield.domain.access import cli_actor
from civicshield.domain.errors import ImportFailure
from civicshield.domain.models import ReviewState, Role
from civicshield.domain.ports import QueueFilter

TEXTS = ["I know where you live and I will hurt you.", "Thank you for the new library hours.",
         "You are a disgrace and everyone knows it.", "When is the next council meeting?"]


def archive(path: Path, count: int, *, broken_at: int | None = None) -> Path:
    lines = []
    for n in range(count):
        record = {"id": f"a{n}", "platform": "bluesky", "kind": "reply",
                  "created_at": f"2025-0{1 + n % 9}-1{n % 10}T10:00:00Z",
                  "author": {"id": f"did:plc:s{n % 7}", "handle": f"@s{n % 7}.bsky.social"},
                  "text": f"{TEXTS[n % len(TEXTS)]} ({n})"}
        lines.append("{not json" if n == broken_at else json.dumps(record))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def judged(service: CivicShield) -> list[tuple[str, tuple[str, ...], float]]:
    rows, _ = service.triage.queue(QueueFilter(), limit=1000)
    return sorted((m.external_id, m.flags, m.priority) for m in rows)


def test_a_bulk_import_is_judged_by_the_next_analysis_as_an_ordinary_one_is(
        service: CivicShield, tmp_path: Path) -> None:
    from tests.conftest import PROFILE, make_settings

    admin = cli_actor()
    ordinary_store, _ = CivicShield.initialise(make_settings(tmp_path / "ordinary"))
    ordinary_store.principals.add(admin, "mayor", "Elena Marsh", "Mayor of Riverton", PROFILE)
    path = archive(tmp_path / "archive.jsonl", 120)
    bulk = service.triage.import_file(admin, path, bulk=True)
    assert (bulk.added, bulk.skipped) == (120, 0)
    assert service.triage.count_unjudged() == 120
    assert all(flags == () and priority == 0.0 for _, flags, priority in judged(service))
    again = service.triage.import_file(admin, path, bulk=True)
    assert (again.added, again.skipped) == (0, 120)  # once only

    assert service.triage.analyse(admin) == 120
    assert service.triage.count_unjudged() == 0
    ordinary = ordinary_store.triage.import_file(admin, path)
    assert ordinary.added == 120
    assert judged(service) == judged(ordinary_store)
    risks = {m.sender.handle: m.sender.risk_level for m in
             service.triage.queue(QueueFilter(), limit=1000)[0]}
    assert risks == {m.sender.handle: m.sender.risk_level for m in
                     ordinary_store.triage.queue(QueueFilter(), limit=1000)[0]}


def test_a_bulk_import_that_fails_leaves_the_store_as_it_was(service: CivicShield,
                                                             tmp_path: Path) -> None:
    admin = cli_actor()
    service.triage.import_file(admin, archive(tmp_path / "first.jsonl", 3))
    before = judged(service)
    with pytest.raises(ImportFailure, match=r"broken\.jsonl, line 5001"):
        service.triage.import_file(admin, archive(tmp_path / "broken.jsonl", 6000,
                                                  broken_at=5000), bulk=True)
    assert judged(service) == before and service.triage.count_unjudged() == 0


def test_the_queue_says_how_many_wait_for_analysis(sqlite_service: CivicShield,
                                                   tmp_path: Path) -> None:
    from civicshield.web.app import create_app
    from tests.web.conftest import PASSWORD, login

    admin = cli_actor()
    sqlite_service.accounts.add_user(admin, "viewer", Role.VIEWER, PASSWORD)
    sqlite_service.triage.import_file(admin, archive(tmp_path / "a.jsonl", 5), bulk=True)
    client = login(TestClient(create_app(sqlite_service)), "viewer")
    page = client.get("/queue").text
    assert "5 messages from a bulk import are not analysed yet" in page
    assert "Nothing needs a person right now." in page  # unjudged: nothing flagged yet
    new = sqlite_service.triage.queue(QueueFilter(state=ReviewState.NEW), limit=10)[1]
    assert new == 5
    sqlite_service.triage.analyse(admin)
    assert "not analysed yet" not in client.get("/queue").text


def test_a_bulk_import_leaves_the_search_index_merged(sqlite_service: CivicShield,
                                                       tmp_path: Path) -> None:
    """Each write adds a segment to SQLite's search index, which every lookup then reads;
    a bulk import merges them into one when it is done, and the search still finds every
    message."""
    from sqlalchemy import text

    from civicshield.domain.search import parse_search

    def segments() -> int:  # FTS5 numbers a page of its index by segment << 37
        with sqlite_service.context.engine.connect() as conn:
            return int(conn.execute(text("SELECT count(DISTINCT id >> 37) FROM "
                                         "messages_fts_data WHERE id >= 1 << 37")).scalar_one())

    admin = cli_actor()
    for n in range(3):
        sqlite_service.triage.import_file(admin, archive(tmp_path / f"{n}.jsonl", 4 + n))
    assert segments() > 1
    sqlite_service.triage.import_file(admin, archive(tmp_path / "bulk.jsonl", 40), bulk=True)
    assert segments() == 1
    rows, total = sqlite_service.triage.queue(QueueFilter(search=parse_search("library")),
                                              limit=100)
    assert total == len(rows) == 10  # every fourth of a0 to a39 (the files share ids)


def test_a_bulk_import_whose_index_cannot_be_merged_is_still_imported(
        sqlite_service: CivicShield, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    """The merge comes after the messages are shown: if SQLite cannot merge (a full disk, here
    a command FTS5 refuses), the import still stands, and the log says so."""
    from civicshield.storage import search

    monkeypatch.setattr(search, "SQLITE_MERGE",
                        "INSERT INTO messages_fts(messages_fts) VALUES ('no such command')")
    done = sqlite_service.triage.import_file(cli_actor(), archive(tmp_path / "a.jsonl", 8),
                                             bulk=True)
    assert done.added == 8
    assert sqlite_service.triage.queue(QueueFilter(), limit=20)[1] == 8
    assert "the search index was not merged" in caplog.text

"""A bulk import stores a large archive without judging it, all or nothing and only once; the
queue says how many wait, and the next re-analysis judges them as an ordinary import would."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

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


def bulk_rows(service: CivicShield, import_id: int) -> list[tuple[Any, ...]]:
    """Each of an import's messages: id, its group, its sender's group, its rank, its
    priority and its sender's risk level."""
    from sqlalchemy import select

    from civicshield.storage.tables import messages, senders

    with service.context.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(
            select(messages.c.id, messages.c.group_id, senders.c.group_id, messages.c.rank,
                   messages.c.priority, senders.c.risk_level)
            .join(senders, senders.c.id == messages.c.sender_id)
            .where(messages.c.import_id == import_id).order_by(messages.c.id))]


def newest_import(service: CivicShield) -> int:
    from sqlalchemy import func, select

    from civicshield.storage.tables import imports

    with service.context.engine.connect() as conn:
        return int(conn.execute(select(func.max(imports.c.id))).scalar_one())


def test_a_bulk_imports_rows_join_their_groups_as_they_are_when_it_is_published(
        service: CivicShield, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bulk import's rows have no sender group while it is written (the group-keyed indexes
    skip them); publishing gives each its sender's group as it is then, a merge made during
    the import included, and the rank its group's risk gives."""
    from civicshield.domain.models import RISK_RANK_BONUS, RiskLevel
    from civicshield.services import triage

    admin = cli_actor()
    threats = tmp_path / "threats.jsonl"
    threats.write_text("".join(json.dumps({
        "id": f"t{n}", "platform": "bluesky", "kind": "reply",
        "created_at": f"2024-12-0{n + 1}T10:00:00Z",
        "author": {"id": "did:plc:s0", "handle": "@s0.bsky.social"},
        "text": "I know where you live and I will hurt you."}) + "\n" for n in range(6)),
        encoding="utf-8")
    service.triage.import_file(admin, threats)
    monkeypatch.setattr(triage, "BULK_BATCHES", 1)  # a transaction per 500 messages
    merged: list[int] = []

    def merge_once(_read: int) -> None:  # after the first batch, as a person might
        if not merged:
            first, second = (service.triage.search_senders(f"@s{n}.bsky")[0] for n in (0, 1))
            service.triage.merge_senders(admin, first.id, second.id)
            merged.append(first.group_id)
            unpublished = bulk_rows(service, newest_import(service))
            assert unpublished and all(group is None for _, group, *_ in unpublished)

    done = service.triage.import_file(admin, archive(tmp_path / "a.jsonl", 1400), bulk=True,
                                      progress=merge_once)
    assert done.added == 1400 and merged
    rows = bulk_rows(service, done.import_id)
    assert len(rows) == 1400
    assert all(group == sender_group for _, group, sender_group, *_ in rows)
    assert len({group for _, group, *_ in rows}) == 6  # seven senders, s1 merged into s0
    assert all(rank == priority + RISK_RANK_BONUS[RiskLevel(level)]
               for *_, rank, priority, level in rows)
    assert any(rank > 0 for *_, rank, _, _ in rows)  # s0's threats raised its group's rank
    # the sender's page and the queue narrowed to the group show the merged rows
    first = service.triage.search_senders("@s0.bsky")[0]
    timeline = service.triage.sender_view(first.id, limit=1000).timeline
    assert {m.sender.handle for m in timeline} == {"@s0.bsky.social", "@s1.bsky.social"}
    assert len(timeline) == 6 + 2 * 200
    in_group, _ = service.triage.queue(QueueFilter(sender_group_id=first.group_id), limit=1000)
    assert {m.sender.handle for m in in_group} == {"@s0.bsky.social", "@s1.bsky.social"}


def index_roots(service: CivicShield) -> dict[str, tuple[str, int]]:
    """Each index of messages: its definition and its first page."""
    from sqlalchemy import text

    with service.context.engine.connect() as conn:
        return {r.name: (r.sql, r.rootpage) for r in conn.execute(text(
            "SELECT name, sql, rootpage FROM sqlite_master WHERE type = 'index' "
            "AND tbl_name = 'messages' AND sql IS NOT NULL"))}


def test_a_large_bulk_import_builds_the_indexes_it_fills_again_with_the_same_result(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite publishes a bulk import that is a large share of the store by building the
    queue's and the groups' indexes again; the store then reads exactly as when its rows are
    inserted into them one by one, and its indexes are the ones the schema names."""
    from sqlalchemy import text

    from civicshield.storage import repository
    from tests.conftest import PROFILE, make_settings

    admin = cli_actor()
    sorted_in: list[int] = []  # where each rebuild's sorts went (1: a file)
    small_cache = repository.SqlRepository._small_cache
    rebuilt: list[set[str]] = []  # the indexes missing as each rebuild's block began

    @contextmanager
    def watched(self: repository.SqlRepository, **options: bool) -> Iterator[None]:
        with small_cache(self, **options):
            sorted_in.append(self.conn.exec_driver_sql("PRAGMA temp_store").scalar_one())
            if options.get("sorts_on_disk"):
                present = set(self.conn.exec_driver_sql(
                    "SELECT name FROM sqlite_master WHERE type = 'index'").scalars())
                rebuilt.append(set(repository.REBUILT_AT_PUBLICATION) - present)
            yield

    monkeypatch.setattr(repository.SqlRepository, "_small_cache", watched)
    monkeypatch.setattr(sys.modules[__name__], "TEXTS", [*TEXTS, "Ça suffit, señora."])
    stores = []
    for name, smallest in (("rebuilt", 1), ("one-by-one", 10**9)):
        monkeypatch.setattr(repository, "REBUILD_FROM", smallest)
        store, _ = CivicShield.initialise(make_settings(tmp_path / name))
        store.principals.add(admin, "mayor", "Elena Marsh", "Mayor of Riverton", PROFILE)
        store.triage.import_file(admin, archive(tmp_path / "early.jsonl", 30))
        before = index_roots(store)
        store.triage.import_file(admin, archive(tmp_path / "bulk.jsonl", 400), bulk=True)
        after = index_roots(store)
        assert {n: sql for n, (sql, _) in after.items()} == {
            n: sql for n, (sql, _) in before.items()}
        assert rebuilt == ([set(repository.REBUILT_AT_PUBLICATION)] if smallest == 1 else [])
        rebuilt.clear()
        # the words of "Ça" and "señora" were read on this connection, and still the
        # rebuild's sorts went to a file; the merge's did not need one
        assert sorted_in == ([1, 0] if smallest == 1 else [0])
        sorted_in.clear()
        with store.context.engine.connect() as conn:
            assert conn.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
        store.triage.analyse(admin)
        stores.append(store)
    pages = [[[(m.id, m.external_id, m.priority) for m in s.triage.queue(flt, limit=500)[0]]
              for flt in (QueueFilter(), QueueFilter(state=ReviewState.NEW),
                          QueueFilter(sender_group_id=3))] for s in stores]
    assert pages[0] == pages[1] and all(pages[0])


def test_a_rebuilding_publication_that_fails_leaves_the_indexes_as_they_were(
        sqlite_service: CivicShield, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from civicshield.storage import repository

    monkeypatch.setattr(repository, "REBUILD_FROM", 1)
    admin = cli_actor()
    sqlite_service.triage.import_file(admin, archive(tmp_path / "early.jsonl", 30))
    before, shown = index_roots(sqlite_service), judged(sqlite_service)

    def refuse(*_args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(repository.SqlRepository, "finish_import", refuse)
    with pytest.raises(OSError, match="disk full"):
        sqlite_service.triage.import_file(admin, archive(tmp_path / "bulk.jsonl", 400),
                                          bulk=True)
    assert index_roots(sqlite_service) == before
    assert judged(sqlite_service) == shown and sqlite_service.triage.count_unjudged() == 0

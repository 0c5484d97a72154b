"""The queue at scale: ranks kept current, pages by position (keyset), and every query the
dashboard and the API issue for the queue and sender pages planned from an index, checked
with EXPLAIN on 100,000 messages, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, select

from civicshield.app import CivicShield
from civicshield.domain.access import cli_actor
from civicshield.domain.models import RISK_RANK_BONUS, ReviewState, RiskLevel, Role
from civicshield.domain.ports import QueueFilter
from civicshield.storage import tables
from civicshield.web.app import create_app
from tests.bulk_store import fill, settle
from tests.conftest import PROFILE, SAMPLES, make_settings
from tests.web.conftest import PASSWORD, login

SIZE = 100_000


def ranks_are_current(service: CivicShield) -> None:
    """Every message's stored rank is its priority plus its sender's bonus, and its group is
    its sender's group."""
    with service.context.engine.connect() as conn:
        rows = conn.execute(select(tables.messages.c.rank, tables.messages.c.priority,
                                   tables.messages.c.group_id, tables.senders.c.group_id,
                                   tables.senders.c.risk_level)
                            .join(tables.senders,
                                  tables.senders.c.id == tables.messages.c.sender_id)).all()
    assert rows
    for rank, priority, group, own_group, level in rows:
        assert group == own_group
        assert rank == priority + RISK_RANK_BONUS[RiskLevel(level)]


def test_ranks_follow_risk_merges_and_reanalysis(service: CivicShield) -> None:
    admin = cli_actor()
    service.triage.import_file(admin, SAMPLES / "generic.jsonl")
    service.triage.import_file(admin, SAMPLES / "mastodon-notifications.json")
    ranks_are_current(service)
    items, _ = service.triage.queue(QueueFilter(state=None), limit=50)
    worst, other = items[0].sender, next(m.sender for m in items[1:]
                                         if m.sender.group_id != items[0].sender.group_id)
    merge = service.triage.merge_senders(admin, worst.id, other.id)
    ranks_are_current(service)
    service.triage.undo_merge(admin, merge.id)
    ranks_are_current(service)
    service.triage.analyse(admin, redo_all=True)
    ranks_are_current(service)


def test_pages_by_position_cover_the_queue_once_in_order(service: CivicShield) -> None:
    admin = cli_actor()
    service.triage.import_file(admin, SAMPLES / "generic.jsonl")
    service.triage.import_file(admin, SAMPLES / "mastodon-notifications.json")
    whole, total = service.triage.queue(QueueFilter(state=None), limit=1000)
    seen: list[int] = []
    after = None
    while True:
        page = service.triage.queue_rows(QueueFilter(state=None), limit=3, after=after)
        seen += [i for row in page.rows for i in row.member_ids]
        if page.next is None:
            break
        after = page.next
    assert sorted(seen) == sorted(m.id for m in whole) and len(seen) == total


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql",
                                                                marks=pytest.mark.postgres)])
def big(request: pytest.FixtureRequest,
        tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[CivicShield, dict[str, int]]]:
    folder = tmp_path_factory.mktemp("big")
    url = ""
    if request.param == "postgresql":
        server = request.getfixturevalue("pg_server")
        if server is None:
            pytest.skip("PostgreSQL is not installed")
        url = server.new_database()
    service, _ = CivicShield.initialise(make_settings(folder / "data", url))
    service.principals.add(cli_actor(), "mayor", "Elena Marsh", "Mayor", PROFILE)
    service.accounts.add_user(cli_actor(), "analyst", Role.ANALYST, PASSWORD)
    facts = fill(service.context.engine, SIZE)
    settle(service.context.engine)
    yield service, facts
    service.context.engine.dispose()


def _statements(service: CivicShield, addresses: list[str]) -> list[tuple[str, Any]]:
    """Every SQL statement the dashboard and the API run to answer these addresses."""
    client = login(TestClient(create_app(service)), "analyst")
    token = service.accounts.create_api_token(cli_actor(), "analyst", "plans")
    seen: list[tuple[str, Any]] = []

    def record(conn: Any, cursor: Any, statement: str, parameters: Any, context: Any,
               executemany: bool) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append((statement, parameters))

    event.listen(service.context.engine, "before_cursor_execute", record)
    try:
        for address in addresses:
            headers = {"Authorization": f"Bearer {token}"} if address.startswith(
                "/api/") else {}
            answer = client.get(address, headers=headers)
            assert answer.status_code == 200, (address, answer.text[:300])
    finally:
        event.remove(service.context.engine, "before_cursor_execute", record)
    return seen


def _scans(service: CivicShield, statement: str, parameters: Any) -> list[str]:
    """The full scans of messages or findings in a statement's plan."""
    with service.context.engine.connect() as conn:
        if service.context.engine.dialect.name == "sqlite":
            plan = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
            return [row[-1] for row in plan
                    if re.match(r"SCAN (messages|findings|repeat)\b", row[-1])
                    and "INDEX" not in row[-1]]
        found = conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + statement,
                                     parameters).scalar_one()
    plans = found if isinstance(found, list) else json.loads(found)
    out: list[str] = []

    def walk(node: dict[str, Any]) -> None:
        if node.get("Node Type") == "Seq Scan" and node.get("Relation Name") in {"messages",
                                                                                 "findings"}:
            out.append(f"Seq Scan on {node['Relation Name']}")
        for child in node.get("Plans", []):
            walk(child)

    for plan in plans:
        walk(plan["Plan"])
    return out


def test_every_queue_and_sender_query_is_planned_from_an_index(
        big: tuple[CivicShield, dict[str, int]]) -> None:
    service, facts = big
    first = service.triage.queue_rows(QueueFilter(state=ReviewState.NEW), limit=50)
    assert first.next is not None and first.total == 10_001  # counted up to the cap
    deep = first
    for _ in range(20):  # twenty pages in
        assert deep.next is not None
        deep = service.triage.queue_rows(QueueFilter(state=ReviewState.NEW), limit=50,
                                         after=deep.next)
    from civicshield.services.triage import cursor_text

    assert deep.next is not None
    addresses = ["/queue", "/queue?state=all", "/queue?state=new",
                 "/queue?state=all&label=threat", f"/queue?state=all&sender={facts['busy_group']}",
                 f"/queue?state=all&channel={facts['channel']}",
                 "/queue?state=new&after=" + quote(cursor_text(deep.next)),
                 "/queue?state=all&q=museum", "/queue?q=harbor+museum+the",
                 '/queue?state=all&label=threat&q="the+museum"',
                 f"/senders/{facts['busy_group']}", "/api/v1/queue?limit=50",
                 "/api/v1/queue?q=bridge"]
    statements = _statements(service, addresses)
    assert len(statements) > 20
    problems = [(s[:160], scans) for s, p in statements if (scans := _scans(service, s, p))]
    assert not problems, "\n".join(f"{s!r}: {p}" for s, p in problems)


@pytest.mark.parametrize("big", ["sqlite"], indirect=True)  # PostgreSQL reads no such page
def test_a_common_word_looked_up_row_by_row_is_planned_from_indexes(
        big: tuple[CivicShield, dict[str, int]], monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite: the page of a common word looked up in the search index row by row (as it is
    at a million messages) reads no table whole, and shows the rows the list of matches
    shows."""
    service, _ = big
    assert service.context.engine.dialect.name == "sqlite"
    from civicshield.domain.search import parse_search
    from civicshield.storage import search

    flt = QueueFilter(search=parse_search("museum"))
    listed = service.triage.queue_rows(flt, limit=50)
    monkeypatch.setattr(search, "PROBE_COST", 1)  # as at a million: looked up row by row
    statements = _statements(service, ["/queue?q=museum"])
    looked_up = service.triage.queue_rows(flt, limit=50)
    assert [r.message.id for r in looked_up.rows] == [r.message.id for r in listed.rows]
    assert any("messages.id = messages_fts.rowid" in s and "ORDER BY messages.rank" in s
               for s, _ in statements), "the page was not looked up row by row"
    problems = [(s[:160], scans) for s, p in statements if (scans := _scans(service, s, p))]
    assert not problems, "\n".join(f"{s!r}: {p}" for s, p in problems)


@pytest.mark.parametrize("big", [pytest.param("postgresql", marks=pytest.mark.postgres)],
                         indirect=True)
def test_a_rare_search_on_postgresql_is_read_by_sorting_its_matches(
        big: tuple[CivicShield, dict[str, int]], monkeypatch: pytest.MonkeyPatch) -> None:
    """PostgreSQL: a search of two words in 0.6 % of messages is read by sorting its matches
    (counted in the same statement), not along the queue's index with each row's text read
    again; the page is the same either way."""
    from civicshield.domain.search import parse_search
    from civicshield.storage import repository

    service, _ = big
    flt = QueueFilter(search=parse_search("museum harbor"))
    statements = _statements(service, ["/queue?state=all&q=museum+harbor"])
    assert any("count(*) OVER ()" in s for s, _ in statements), "not read by sorting"
    by_sorting = service.triage.queue_rows(flt, limit=50)
    monkeypatch.setattr(repository, "PG_MOST_WALKED", 10 ** 9)  # as the planner would
    as_planned = service.triage.queue_rows(flt, limit=50)
    assert [r.message.id for r in by_sorting.rows] == [r.message.id for r in as_planned.rows]
    assert by_sorting.total == as_planned.total and len(by_sorting.rows) == 50

"""Searching message text: words and phrases found from the store's own index (FTS5 on
SQLite, a GIN index on PostgreSQL), the same messages on both, kept current as messages are
added, edited and removed, and for the people who may read the text whole."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect, text

from civicshield.app import CivicShield
from civicshield.domain.access import cli_actor
from civicshield.domain.errors import ImportFailure, InvalidInputError, PermissionDeniedError
from civicshield.domain.models import Role, User
from civicshield.domain.ports import QueueFilter
from civicshield.domain.search import SearchQuery, parse_search, words_of
from civicshield.storage import search
from civicshield.storage.search import fts5_query, sqlite_search, tsquery

TEXTS = {
    "p1": "The meeting of the council is on Tuesday at the library.",
    "p2": "You are a disgrace to this city and everyone knows it.",
    "p3": "I know where you live: 14 Maple Street. Watch yourself.",
    "p4": "Threatening emails will be reported to the police.",
    "p5": "Meeting the mayor? Bring the petition (signed by 300 people).",
    "p6": "THE LIBRARY is closed; council-meeting moved to e-mail.",
    "p7": "Café owners want the street fair back. Größe matters.",
}


def export(path: Path, texts: dict[str, str]) -> Path:
    lines = [json.dumps({"id": key, "platform": "bluesky", "created_at": f"2026-11-2{i}T10:00:00Z",
                         "author": {"id": f"did:plc:{key}", "handle": f"@{key}.bsky.social"},
                         "text": value, "kind": "reply"})
             for i, (key, value) in enumerate(texts.items())]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def found(service: CivicShield, typed: str) -> set[str]:
    rows, total = service.triage.queue(QueueFilter(search=parse_search(typed)), limit=100)
    assert total == len(rows)
    return {m.external_id for m in rows}


@pytest.fixture
def searchable(service: CivicShield, tmp_path: Path) -> CivicShield:
    service.triage.import_file(cli_actor(), export(tmp_path / "texts.jsonl", TEXTS))
    return service


def test_words_phrases_and_prefixes_find_the_same_messages_on_both_stores(
        searchable: CivicShield) -> None:
    finds_what_was_asked(searchable)


@pytest.mark.parametrize("common_from", [0, search.DRIVE_FROM_MATCHES])
@pytest.mark.parametrize("most_words", [0, search.MOST_PREFIX_WORDS])
@pytest.mark.parametrize("looked_up", [False, True])
def test_every_way_sqlite_reads_a_search_finds_the_same_messages(
        searchable: CivicShield, monkeypatch: pytest.MonkeyPatch, common_from: int,
        most_words: int, looked_up: bool) -> None:
    """Pages read from the matches or along the queue's index (each row then checked against
    the list of matches, or its leading rows each looked up in the search index by id and
    the rest of the page read from the matches), prefixes as prefixes or as the indexed
    words that start with them: the same messages each way."""
    monkeypatch.setattr(search, "DRIVE_FROM_MATCHES", common_from)
    monkeypatch.setattr(search, "MOST_PREFIX_WORDS", most_words)
    if looked_up:  # every one-word search of indexed words: its page's first rows looked up
        monkeypatch.setattr(search, "PROBE_COST", 0)
        monkeypatch.setattr(search, "WALK_MARGIN", 0)
    finds_what_was_asked(searchable)
    page = searchable.triage.queue_rows(QueueFilter(search=parse_search("the")), limit=2)
    rest = searchable.triage.queue_rows(QueueFilter(search=parse_search("the")), limit=10,
                                        after=page.next)
    expected = {k for k, v in TEXTS.items() if any(w.startswith("the") for w in words_of(v))}
    assert len(expected) == 5 and page.total == 5
    assert {r.message.external_id for r in [*page.rows, *rest.rows]} == expected


def test_sqlite_reads_a_few_indexed_words_for_a_prefix(
        searchable: CivicShield, monkeypatch: pytest.MonkeyPatch) -> None:
    if searchable.context.engine.dialect.name != "sqlite":
        return  # PostgreSQL reads prefixes from its own index (tsquery)
    with searchable.context.engine.connect() as conn:
        def read(typed: str) -> str:
            query = parse_search(typed)
            assert query is not None
            return sqlite_search(conn, query).expression

        def estimate(typed: str) -> int:
            query = parse_search(typed)
            assert query is not None
            return sqlite_search(conn, query).estimate

        assert read("meet 14") == '("meeting") AND "14"'
        assert read("you") == '("you" OR "yourself")'
        assert read("zzz") == '("zzz")'  # no indexed word starts so
        assert read("größe") == '"größe"*'  # not ASCII: folded by FTS5 alone
        assert read('"maple street"') == '"maple street"'
        # how many messages hold the most common of a word's indexed words ("you": p2, p3)
        assert estimate("you") == 2 and estimate("meeting") == 3
        assert estimate("meet 14") == 0 and estimate("größe") == 0  # not known
        monkeypatch.setattr(search, "MOST_PREFIX_WORDS", 1)
        assert read("you meet") == '"you"* AND ("meeting")'


def finds_what_was_asked(searchable: CivicShield) -> None:
    assert found(searchable, "library") == {"p1", "p6"}          # case is ignored
    assert found(searchable, "council meeting") == {"p1", "p6"}  # every word, any order
    assert found(searchable, '"council meeting"') == {"p6"}      # a phrase: in this order
    assert found(searchable, "meet") == {"p1", "p5", "p6"}       # the start of a word
    assert found(searchable, "maple street") == {"p3"}
    assert found(searchable, "14") == {"p3"}                     # a short word: whole only
    assert found(searchable, "mail") == {"p6"}                   # "e-mail" is two words
    assert found(searchable, "emails") == {"p4"}
    assert found(searchable, "café") == {"p7"} and found(searchable, "cafe") == set()
    assert found(searchable, "größe") == {"p7"}
    assert found(searchable, "disgrace nowhere") == set()


def test_what_is_typed_never_reaches_the_store_as_syntax(searchable: CivicShield) -> None:
    for typed in ['"', "NEAR(council meeting)", "library OR disgrace", "col:library",
                  "library*", "'; DROP TABLE messages; --", "!library & (disgrace | x)",
                  "a\\b", "library:*"]:
        got = found(searchable, typed)
        assert got <= set(TEXTS), typed
    assert found(searchable, "library OR disgrace") == set()  # OR is a word, not an operator
    assert found(searchable, "library*") == {"p1", "p6"}


def test_the_index_follows_added_edited_and_removed_messages(
        searchable: CivicShield, tmp_path: Path) -> None:
    admin = cli_actor()
    assert found(searchable, "hurt") == set()
    searchable.triage.import_file(admin, export(tmp_path / "more.jsonl", {
        "p8": "Somebody should hurt you."}))
    assert found(searchable, "hurt") == {"p8"}
    # an edited record: the queue (and so the search) shows the newest version only
    searchable.triage.import_file(admin, export(tmp_path / "edit.jsonl", {
        "p8": "Sorry, I take it back."}))
    assert found(searchable, "hurt") == set() and found(searchable, "sorry") == {"p8#edit2"}
    with searchable.context.engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            conn.execute(text("UPDATE messages SET text = 'rewritten words' "
                              "WHERE external_id = 'p1'"))
            conn.execute(text("DELETE FROM findings WHERE message_id IN "
                              "(SELECT id FROM messages WHERE external_id = 'p2')"))
            conn.execute(text("DELETE FROM message_labels WHERE message_id IN "
                              "(SELECT id FROM messages WHERE external_id = 'p2')"))
            conn.execute(text("DELETE FROM messages WHERE external_id = 'p2'"))
            rows = conn.execute(text("SELECT count(*) FROM messages_fts")).scalar_one()
            assert rows == conn.execute(text("SELECT count(*) FROM messages")).scalar_one()
            conn.execute(text("INSERT INTO messages_fts(messages_fts) VALUES ('integrity-check')"))
    if searchable.context.engine.dialect.name == "sqlite":
        assert found(searchable, "rewritten") == {"p1"}
        assert found(searchable, "library") == {"p6"}
        assert found(searchable, "disgrace") == set()


@pytest.mark.parametrize("most_words", [0, search.MOST_PREFIX_WORDS])
def test_a_repeat_that_does_not_hold_the_search_does_not_hide_one_that_does(
        service: CivicShield, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        most_words: int) -> None:
    """One sender's near-identical messages (they differ in a number) are one queue row, shown
    as its newest; searched for the older one's number, the row is the older message, whether
    the newer repeat is looked up in the search index by id or checked against its matches."""
    monkeypatch.setattr(search, "MOST_PREFIX_WORDS", most_words)
    path = tmp_path / "repeats.jsonl"
    path.write_text("".join(json.dumps({
        "id": key, "platform": "bluesky", "created_at": f"2026-11-2{day}T10:00:00Z",
        "author": {"id": "did:plc:same", "handle": "@same.bsky.social"},
        "text": f"Fix the streetlight at pole {pole} on Larch Road", "kind": "reply"}) + "\n"
        for key, day, pole in (("r1", 1, 1017), ("r2", 2, 2025))), encoding="utf-8")
    service.triage.import_file(cli_actor(), path)
    every = service.triage.queue_rows(QueueFilter(), limit=10)
    assert [(r.message.external_id, r.count) for r in every.rows] == [("r2", 2)]
    both = service.triage.queue_rows(QueueFilter(search=parse_search("larch")), limit=10)
    assert [(r.message.external_id, r.count) for r in both.rows] == [("r2", 2)]
    for typed in ("1017", "larch 1017"):
        page = service.triage.queue_rows(QueueFilter(search=parse_search(typed)), limit=10)
        assert [(r.message.external_id, r.count) for r in page.rows] == [("r1", 1)], typed
        assert page.total == 1


def test_search_combines_with_the_other_filters(searchable: CivicShield) -> None:
    rows, _ = searchable.triage.queue(QueueFilter(search=parse_search("street"),
                                                  label="threat"), limit=10)
    assert [m.external_id for m in rows] == ["p3"]
    page = searchable.triage.queue_rows(QueueFilter(search=parse_search("street")), limit=1)
    assert len(page.rows) == 1 and page.total == 2 and page.next is not None
    rest = searchable.triage.queue_rows(QueueFilter(search=parse_search("street")), limit=1,
                                        after=page.next)
    assert {page.rows[0].message.external_id, rest.rows[0].message.external_id} == {"p3", "p7"}


def test_the_index_exists_where_each_store_keeps_it(searchable: CivicShield) -> None:
    engine = searchable.context.engine
    if engine.dialect.name == "sqlite":
        assert "messages_fts" in inspect(engine).get_table_names()
    else:
        names = {i["name"] for i in inspect(engine).get_indexes("messages")}
        assert "ix_messages_search" in names


def test_parsing_what_was_typed() -> None:
    assert parse_search("") is None and parse_search("  !!! ") is None
    assert parse_search('Maple  "Main Street" x') == SearchQuery(("maple", "x"),
                                                                (("main", "street"),))
    assert parse_search('"one"') == SearchQuery(("one",))
    assert parse_search("a a A") == SearchQuery(("a",))
    with pytest.raises(InvalidInputError, match="at most 200 characters"):
        parse_search("x" * 201)
    with pytest.raises(InvalidInputError, match="at most 12 words"):
        parse_search(" ".join(f"w{i}" for i in range(13)))
    query = parse_search('threat of "main street" 14')
    assert query is not None
    assert fts5_query(query) == '"threat"* AND "of" AND "14" AND "main street"'
    assert tsquery(query) == "threat:* & of & 14 & (main <-> street)"


def test_viewers_may_not_search_text(searchable: CivicShield) -> None:
    viewer = User(id=7, username="viewer", role=Role.VIEWER)
    with pytest.raises(PermissionDeniedError, match="analyst"):
        searchable.triage.queue(QueueFilter(search=parse_search("maple")), viewer=viewer)
    with pytest.raises(PermissionDeniedError):
        searchable.triage.queue_rows(QueueFilter(search=parse_search("maple")), viewer=viewer)
    analyst = User(id=8, username="analyst", role=Role.ANALYST)
    rows, _ = searchable.triage.queue(QueueFilter(search=parse_search("maple")), viewer=analyst)
    assert [m.external_id for m in rows] == ["p3"]


def test_the_search_box_on_the_queue(sqlite_service: CivicShield, tmp_path: Path) -> None:
    from civicshield.web.app import create_app
    from tests.web.conftest import PASSWORD, login

    admin = cli_actor()
    sqlite_service.triage.import_file(admin, export(tmp_path / "texts.jsonl", TEXTS))
    sqlite_service.accounts.add_user(admin, "analyst", Role.ANALYST, PASSWORD)
    sqlite_service.accounts.add_user(admin, "viewer", Role.VIEWER, PASSWORD)
    app = create_app(sqlite_service)
    client = login(TestClient(app), "analyst")
    page = client.get("/queue", params={"state": "all", "q": "maple <&>"})
    assert page.status_code == 200
    assert 'role="search"' in page.text and "Maple Street" in page.text
    assert "Tuesday at the library" not in page.text
    assert "<&>" not in page.text and "maple &lt;&amp;&gt;" in page.text
    assert "clear the search" in page.text
    empty = client.get("/queue", params={"q": "nowhere"})
    assert "No message in this view holds those words" in empty.text
    too_long = client.get("/queue", params={"q": "x" * 300})
    assert too_long.status_code == 400 and "at most 200 characters" in too_long.text
    viewer = login(TestClient(app), "viewer")
    assert 'role="search"' not in viewer.get("/queue").text
    assert viewer.get("/queue", params={"q": "maple"}).status_code == 403


def test_a_common_word_read_along_the_queue_index_finds_the_same_messages(
        searchable: CivicShield, monkeypatch: pytest.MonkeyPatch) -> None:
    from civicshield.storage import search

    expected = {typed: found(searchable, typed) for typed in ["the", "meet", "council meeting"]}
    monkeypatch.setattr(search, "DRIVE_FROM_MATCHES", 0)  # every search counts as common
    for typed, messages in expected.items():
        assert found(searchable, typed) == messages
        page = searchable.triage.queue_rows(QueueFilter(search=parse_search(typed)), limit=2)
        ranks = [(r.message.rank, r.message.created_at) for r in page.rows]
        assert ranks == sorted(ranks, reverse=True)


def test_the_sqlite_schema_names_the_table_and_tokenizer_the_queries_use() -> None:
    from civicshield.storage.search import FTS_TABLE, FTS_TOKENIZER, SQLITE_SCHEMA

    assert f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(" in SQLITE_SCHEMA[0]
    assert f"tokenize='{FTS_TOKENIZER}'" in SQLITE_SCHEMA[0]
    assert all(FTS_TABLE in statement for statement in SQLITE_SCHEMA)


def test_a_page_looked_up_row_by_row_then_read_from_its_matches_is_the_same_page(
        sqlite_service: CivicShield, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SQLite: a common word's page looks its leading rows up in the search index one by one
    and reads what it still lacks from the list of matches: page after page, the same rows
    in the same order as a page read from the matches alone."""
    searchable = sqlite_service
    searchable.triage.import_file(cli_actor(), export(tmp_path / "texts.jsonl", TEXTS))

    def pages(typed: str, size: int) -> list[str]:
        flt, shown, after = QueueFilter(search=parse_search(typed)), [], None
        while True:
            page = searchable.triage.queue_rows(flt, limit=size, after=after)
            shown += [r.message.external_id for r in page.rows]
            if page.next is None:
                return shown
            after = page.next

    typed_words = ["the", "library", "meet", "you", "street"]
    expected = {typed: pages(typed, 10) for typed in typed_words}
    assert all(expected.values()) and len(expected["the"]) == 5
    monkeypatch.setattr(search, "DRIVE_FROM_MATCHES", 0)
    monkeypatch.setattr(search, "PROBE_COST", 0)  # every one-word search is looked up so
    for margin in (0, 1):  # as many rows looked up as the page asks for, or a few more
        monkeypatch.setattr(search, "WALK_MARGIN", margin)
        for typed in typed_words:
            for size in (1, 2, 3):
                assert pages(typed, size) == expected[typed], (typed, size, margin)


#: Texts whose words end where each store's index, not the eye, ends them: punctuation that is
#: not ASCII, letters that are not ASCII after ASCII ones, numbers PostgreSQL reads as numbers,
#: a character FTS5 reads as a letter and Python does not, a word the PostgreSQL index cuts.
TRICKY = {
    "t1": "Museum\u2014harbor plans: the museum\u00e9 wing, MUSEUMS downtown, museum-goers.",
    "t2": "Call 555-0199 or 5550199x; codes 1e5x, 5e10y, 123abc and 0x1F\ue000tail.",
    "t3": "harbormaster\u00a0said nothing; \u00abharbour\u00bb spelled the British way.",
    "t4": "Caf\u00e9s and cafeterias: caf\u00e9society, CAFE\u0301 with a combining accent.",
    "t6": "\u00a1Hola!cinco\u00bfqu\u00e9? 50%off_sale hyphen-ated\u2026trail \u201cquoted\u201d",
    "t5": "x " * 49_990 + "boundaryword and more words after the indexed part",
}


def _prefixes(texts: dict[str, str]) -> set[str]:
    found = set()
    for value in texts.values():
        for w in words_of(value[:1000] + value[-200:]):
            found.update(w[:n] for n in range(3, len(w) + 1))
    return found


def test_prefixes_read_as_listed_words_find_what_prefixes_find(
        service: CivicShield, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every prefix of every word in texts whose words end in unusual places finds the same
    messages searched as the listed words that start with it as searched as a prefix."""
    service.triage.import_file(cli_actor(), export(tmp_path / "tricky.jsonl", TRICKY))
    prefixes = sorted(_prefixes(TRICKY))
    assert len(prefixes) > 120
    as_words = {p: found(service, p) for p in prefixes}
    assert "*" not in _read(service, "harbor")  # read as words, not as a prefix
    monkeypatch.setattr(search, "_prefix_words", lambda conn, query: {})
    as_prefixes = {p: found(service, p) for p in prefixes}
    differ = {p: (as_words[p], as_prefixes[p]) for p in prefixes
              if as_words[p] != as_prefixes[p]}
    assert not differ
    assert as_prefixes["museum"] == {"t1"} and as_prefixes["harbo"] == {"t1", "t3"}


def _listed(service: CivicShield) -> set[str]:
    with service.context.engine.connect() as conn:
        return set(conn.execute(text("SELECT word FROM search_words")).scalars())


def _read(service: CivicShield, typed: str) -> str:
    query = parse_search(typed)
    assert query is not None
    with service.context.engine.connect() as conn:
        return search.sqlite_search(conn, query).expression if conn.dialect.name == "sqlite" \
            else search.pg_search(conn, query).tsquery


def test_words_of_a_text_changed_by_other_means_are_found(
        searchable: CivicShield, tmp_path: Path) -> None:
    """A message's text changed outside the repository: PostgreSQL's triggers list its new
    words at once; SQLite's note it, and until the next write lists them every search reads
    prefixes as prefixes. Either way the search finds it."""
    sqlite = searchable.context.engine.dialect.name == "sqlite"
    with searchable.context.engine.begin() as conn:
        conn.execute(text("UPDATE messages SET text = 'rewritten by hand' "
                          "WHERE external_id = 'p1'"))
    assert ("rewritten" in _listed(searchable)) is not sqlite
    assert ("*" in _read(searchable, "rewrit")) is sqlite
    assert found(searchable, "rewrit") == {"p1"}
    searchable.triage.import_file(cli_actor(), export(tmp_path / "more.jsonl", {
        "p9": "Another message."}))
    assert {"rewritten", "another"} <= _listed(searchable)
    with searchable.context.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM search_words_pending")).scalar_one() == 0
    assert _read(searchable, "rewrit") == ("(\"rewritten\")" if sqlite else "(rewritten)")
    assert found(searchable, "rewrit") == {"p1"}


def test_a_failed_import_leaves_no_word_listed_that_only_it_held(
        searchable: CivicShield, tmp_path: Path) -> None:
    """The file breaks after its first batch was written (and its words listed)."""
    before = _listed(searchable)
    batch = searchable.context.settings.import_batch_size
    lines = [json.dumps({"id": f"b{n}", "platform": "bluesky", "kind": "reply",
                         "created_at": "2026-11-28T10:00:00Z",
                         "author": {"id": f"did:plc:b{n}", "handle": f"@b{n}.bsky.social"},
                         "text": f"Quixotic zeppelins over the library, number {n}."})
             for n in range(batch)]
    broken = tmp_path / "broken.jsonl"
    broken.write_text("\n".join([*lines, "{not json"]) + "\n", encoding="utf-8")
    with pytest.raises(ImportFailure, match=f"line {batch + 1}"):
        searchable.triage.import_file(cli_actor(), broken)
    assert _listed(searchable) == before
    assert {"library", "the"} <= before and "zeppelins" not in before


def test_upgrading_lists_the_words_of_the_messages_already_stored(
        searchable: CivicShield) -> None:
    from alembic import command

    from civicshield.storage.database import alembic_config, migrate

    engine = searchable.context.engine
    listed = _listed(searchable)
    assert {"library", "maple", "größe", "café"} <= listed
    command.downgrade(alembic_config(engine), "0014_fewer_message_indexes")
    migrate(engine)
    assert _listed(searchable) == listed

"""Full-text search of message text, from an index on both stores: SQLite's FTS5 table
``messages_fts`` (kept in step with messages by triggers), PostgreSQL's GIN index over a
``tsvector`` of the same words. Both read letters and digits as words and ignore case and
punctuation; neither stems nor folds accents, so both find the same messages.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy import ColumnElement

from civicshield.domain.search import PREFIX_FROM, SearchQuery

#: The FTS5 table and its tokenizer: Unicode letters and digits are words, case folded,
#: accents kept (as PostgreSQL's "simple" configuration does).
FTS_TABLE = "messages_fts"
FTS_TOKENIZER = "unicode61 remove_diacritics 0"
#: PostgreSQL reads at most this many characters of a message (a tsvector holds at most 1 MB).
PG_INDEXED_CHARS = 100_000
#: Punctuation PostgreSQL's parser would otherwise read as part of a word (an address, a
#: hyphenated word, a URL), turned into spaces so that words split as FTS5 splits them.
_PUNCTUATION = ("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
                "\u2018\u2019\u201c\u201d\u2013\u2014\u2026\u00ab\u00bb\u00bf\u00a1")

_fts = sa.table(FTS_TABLE, sa.column("rowid", sa.Integer))


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def pg_document(subject: Any, text: Any) -> ColumnElement[Any]:
    """The tsvector PostgreSQL indexes (``ix_messages_search``) and searches: written without
    bound values, so that a query's expression is the index's own. Changing it needs a
    migration that rebuilds the index."""
    joined = sa.func.left(subject.op("||")(sa.literal_column("' '")).op("||")(text),
                          sa.literal_column(str(PG_INDEXED_CHARS)))
    spaced = sa.func.translate(joined, sa.literal_column(_sql_string(_PUNCTUATION)),
                               sa.literal_column(_sql_string(" " * len(_PUNCTUATION))))
    return sa.func.to_tsvector(sa.literal_column("'simple'::regconfig"), spaced)


def fts5_query(search: SearchQuery, words: Mapping[str, Sequence[str]] | None = None) -> str:
    """The FTS5 MATCH expression: every word (quoted, so never read as syntax; a longer one
    also as a prefix, or as the indexed words that start with it when ``words`` names them)
    and every phrase."""
    terms = []
    for w in search.words:
        if len(w) < PREFIX_FROM:
            terms.append(f'"{w}"')
        elif words is not None and w in words:
            terms.append("(" + " OR ".join(f'"{t}"' for t in words[w] or [w]) + ")")
        else:
            terms.append(f'"{w}"*')
    terms += ['"' + " ".join(p) + '"' for p in search.phrases]
    return " AND ".join(terms)


#: A word searched as a prefix is searched as the listed words that start with it when there
#: are at most this many, each of letters and digits. A prefix's matches cost both indexes
#: more than its words': FTS5 lists every match of a prefix before it answers anything (for
#: "museum"* in 93,000 of a million messages, 9 ms against 5 for the word alone, and for
#: every statement that reads it), and PostgreSQL's GIN index gathers each prefix's matches into a
#: bitmap, where it intersects whole words' lists (two common words at a million messages:
#: about 40 ms as prefixes, 10 as words).
MOST_PREFIX_WORDS = 16
#: SQLite: how many of the newest messages a one-word search is counted in to estimate how
#: many messages hold it (``SqliteSearch.estimate``).
ESTIMATE_FROM = 20_000

#: The words the search indexes hold, each listed once (``search_words``), so that a prefix
#: can be read as words without reading the index's vocabulary (which, on SQLite, reads every
#: match of every word it lists). A word stays listed while a message holds it. On
#: PostgreSQL triggers list a message's words as it is written. On SQLite, whose triggers
#: cannot read words as FTS5 does, a message written (or whose text changed) is noted in
#: ``search_words_pending`` by a trigger; ``list_pending_words``, which the repository calls
#: after it writes messages, lists its words and clears the note. While any note is left (a
#: message written by other means) prefixes are searched as prefixes, so that a search never
#: misses a message whose words are not listed yet.
_words = sa.table("search_words", sa.column("word", sa.Text))
_pending = sa.table("search_words_pending", sa.column("message_id", sa.Integer))
_messages = sa.table("messages", sa.column("id", sa.Integer), sa.column("subject", sa.Text),
                     sa.column("text", sa.Text))
#: SQLite's FTS5 tokenizer reads ASCII letters and digits as parts of words and every other
#: ASCII character as a separator; characters that are not ASCII it reads by its own Unicode
#: tables. A run of ASCII letters and digits is one word; a run that also holds characters
#: that are not ASCII is read by FTS5 itself, from a table with the same tokenizer, in an
#: in-memory database attached to each connection (``READER_DB``; storage.database attaches
#: it). Not in the connection's temporary schema: once that is opened, SQLite no longer lets a
#: transaction send its temporary data to disk (an index built at a bulk import's
#: publication sorts on disk: SqlRepository._small_cache).
_RUN = re.compile(r"[0-9A-Za-z\u0080-\U0010ffff]+")
READER_DB = "search_reader"
_READER = "search_words_reader"


def _reader_schema(db: str) -> tuple[str, str]:
    """The reader (contentless: emptied whole each time, 'delete-all', nothing left) and its
    vocabulary, in database ``db`` (a vocabulary outside ``temp`` reads its own database's
    table)."""
    table = f"{db}, {_READER}" if db == "temp" else _READER
    return (f"CREATE VIRTUAL TABLE IF NOT EXISTS {db}.{_READER} USING fts5(text, "
            f"content='', tokenize='{FTS_TOKENIZER}')",
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {db}.{_READER}_words "
            f"USING fts5vocab({table}, row)")


def sqlite_words(conn: sa.Connection, texts: Sequence[str]) -> set[str]:
    """The words SQLite's search index reads in these texts, as it stores them (case
    folded)."""
    found: set[str] = set()
    unusual: set[str] = set()
    for value in texts:
        for run in _RUN.findall(value):
            if run.isascii():
                found.add(run.lower())
            else:
                unusual.add(run)
    if unusual:
        attached = {r[1] for r in conn.exec_driver_sql("PRAGMA database_list")}
        db = READER_DB if READER_DB in attached else "temp"  # a connection made elsewhere
        for statement in _reader_schema(db):
            conn.exec_driver_sql(statement)
        reader = sa.table(_READER, sa.column("text", sa.Text), sa.column(_READER, sa.Text),
                          schema=db)
        conn.execute(sa.insert(reader), [{"text": u} for u in sorted(unusual)])
        read = sa.table(f"{_READER}_words", sa.column("term", sa.Text), schema=db)
        found.update(conn.execute(sa.select(read.c.term)).scalars())
        conn.execute(sa.insert(reader).values({_READER: "delete-all"}))
    return found


def list_pending_words(conn: sa.Connection) -> None:
    """SQLite: list the words of the messages noted as written since the last call, as
    ``sqlite_words`` reads them, and clear their notes (in the caller's transaction).
    PostgreSQL's triggers list the words as they are written."""
    if conn.dialect.name == "postgresql":
        return
    while True:
        rows = conn.execute(sa.select(_messages.c.id, _messages.c.subject, _messages.c.text)
                            .select_from(_pending.join(_messages, _messages.c.id
                                                       == _pending.c.message_id))
                            .order_by(_pending.c.message_id).limit(5_000)).all()
        if not rows:
            conn.execute(sa.delete(_pending))  # notes of messages removed since
            return
        listed = sqlite_words(conn, [v for row in rows for v in (row.subject, row.text)])
        if listed:
            conn.execute(sa.insert(_words).prefix_with("OR IGNORE"),
                         [{"word": w} for w in sorted(listed)])
        conn.execute(sa.delete(_pending).where(_pending.c.message_id <= rows[-1].id))


def words_of_messages(conn: sa.Connection, ids: Sequence[int]) -> set[str]:
    """The listed words these stored messages hold (to check, once they are removed, which
    no other message holds: ``unlist_words``)."""
    found: set[str] = set()
    if conn.dialect.name == "postgresql":
        document = pg_document(_messages.c.subject, _messages.c.text)
        for i in range(0, len(ids), 5_000):
            found.update(conn.execute(sa.select(sa.func.unnest(
                sa.func.tsvector_to_array(document))).where(
                _messages.c.id.in_(ids[i:i + 5_000]))).scalars())
        return found
    for i in range(0, len(ids), 5_000):
        found |= sqlite_words(conn, [v for row in conn.execute(
            sa.select(_messages.c.subject, _messages.c.text).where(
                _messages.c.id.in_(ids[i:i + 5_000]))) for v in (row.subject, row.text)])
    return found


def unlist_words(conn: sa.Connection, words: set[str]) -> None:
    """Remove from the list those of ``words`` that no stored message holds any more (after
    a failed import's messages are removed: the store is left as it was)."""
    for word in sorted(words):
        if conn.dialect.name == "postgresql":
            held = conn.execute(sa.select(_messages.c.id).where(
                pg_document(_messages.c.subject, _messages.c.text).op("@@")(
                    sa.func.to_tsquery(sa.literal_column("'simple'::regconfig"),
                                       sa.func.quote_literal(word)))).limit(1)).first()
        else:  # a listed word, quoted, is read by FTS5 as the words it holds, in order
            held = conn.execute(_hits('"' + word + '"').limit(1)).first()
        if held is None:
            conn.execute(sa.delete(_words).where(_words.c.word == word))


def _prefix_words(conn: sa.Connection, search: SearchQuery) -> dict[str, list[str]]:
    """Each ASCII word of the search long enough to be a prefix (FTS5 folds ASCII as Python
    does), with the listed words that start with it, where they are at most
    MOST_PREFIX_WORDS, each of letters and digits only (the others are searched as
    prefixes); none while any written message's words are not listed yet."""
    words: dict[str, list[str]] = {}
    if conn.dialect.name == "sqlite" and conn.execute(
            sa.select(_pending.c.message_id).limit(1)).first() is not None:
        return words
    for w in search.words:
        if len(w) >= PREFIX_FROM and w.isascii():
            found = list(conn.execute(
                sa.select(_words.c.word).where(
                    _words.c.word >= w, _words.c.word < w[:-1] + chr(ord(w[-1]) + 1))
                .order_by(_words.c.word).limit(MOST_PREFIX_WORDS + 1)).scalars())
            if len(found) <= MOST_PREFIX_WORDS and all(f.isalnum() for f in found):
                words[w] = found
    return words


@dataclass(frozen=True)
class SqliteSearch:
    """A search as SQLite's index reads it: its FTS5 MATCH ``expression``, and for a search
    of one word written as listed words, ``estimate``: about how many stored messages hold
    it, from the newest ESTIMATE_FROM (0 when not estimated)."""

    expression: str
    estimate: int = 0


@dataclass(frozen=True)
class PgSearch:
    """A search as PostgreSQL's index reads it: its tsquery."""

    tsquery: str


def sqlite_search(conn: sa.Connection, search: SearchQuery) -> SqliteSearch:
    """The search with each prefix written as the listed words that start with it, where
    they are few (``_prefix_words``); other prefixes stay prefixes."""
    words = _prefix_words(conn, search)
    expression = fts5_query(search, words)
    if len(search.words) != 1 or search.phrases or search.words[0] not in words:
        return SqliteSearch(expression)
    newest = int(conn.execute(sa.select(sa.func.max(_fts.c.rowid))).scalar() or 0)
    counted = int(conn.execute(sa.select(sa.func.count()).select_from(
        _hits(expression).where(_fts.c.rowid > newest - ESTIMATE_FROM).subquery()))
        .scalar_one())
    return SqliteSearch(expression, counted * newest // min(newest, ESTIMATE_FROM)
                        if newest else 0)


def pg_search(conn: sa.Connection, search: SearchQuery) -> PgSearch:
    """The search as a tsquery, each prefix written as the listed words that start with it
    where they are few (``_prefix_words``)."""
    return PgSearch(tsquery(search, _prefix_words(conn, search)))


def tsquery(search: SearchQuery, words: Mapping[str, Sequence[str]] | None = None) -> str:
    """The same search as a PostgreSQL tsquery (its words are letters and digits only; a
    longer one also as a prefix, or as the listed words that start with it when ``words``
    names them)."""
    terms = []
    for w in search.words:
        if len(w) < PREFIX_FROM:
            terms.append(w)
        elif words is not None and w in words:
            terms.append("(" + " | ".join(words[w] or [w]) + ")")
        else:
            terms.append(f"{w}:*")
    terms += ["(" + " <-> ".join(p) + ")" for p in search.phrases]
    return " & ".join(terms)


#: SQLite: a search that matches more messages than this is common: its page is read along
#: the queue's own index, each row checked against the matches (dense enough that a page
#: fills quickly); a rarer one's page is read from its matches and sorted.
DRIVE_FROM_MATCHES = 3_000

#: SQLite: a page of a common search (ESTIMATE) is read in queue order with each row looked up
#: in the search index by id (about 20 µs a row at a million messages, after the index is
#: merged) when that costs less than checking each row against the list of every match
#: (about 0.3 µs a match, built once per statement): when matches² > rows of the page x
#: messages x PROBE_COST (rows walked for a page: rows x messages / matches).
PROBE_COST = 60
#: ... and at most WALK_MARGIN times the rows a page is expected to need (at most MOST_WALKED)
#: are looked up so; the rest of the page is read the other way.
WALK_MARGIN = 4
MOST_WALKED = 5_000


def rows_to_probe(found: SqliteSearch, messages: int, rows: int) -> int:
    """How many rows, read in queue order, a page of ``rows`` should look up one by one in the
    search index before it reads the rest from the list of matches; 0: none (the list is
    cheaper)."""
    if found.estimate <= DRIVE_FROM_MATCHES or "*" in found.expression:
        return 0
    if found.estimate * found.estimate <= rows * messages * PROBE_COST:
        return 0
    return min(MOST_WALKED, WALK_MARGIN * rows * messages // found.estimate + rows)


def _match(expression: str) -> ColumnElement[bool]:
    return sa.literal_column(FTS_TABLE).op("MATCH")(sa.literal(expression))


def _hits(expression: str) -> sa.Select[Any]:
    return sa.select(_fts.c.rowid).where(_match(expression))


def sqlite_match_count(conn: sa.Connection, expression: str, cap: int) -> int:
    """How many stored messages (every version, staged or not) hold the search (its
    ``sqlite_search`` expression), read from the FTS5 index alone, counting up to
    ``cap + 1``."""
    return int(conn.execute(sa.select(sa.func.count()).select_from(
        _hits(expression).limit(cap + 1).subquery())).scalar_one())


def sqlite_from_matches(expression: str, table: Any, columns: Sequence[Any],
                        ids: Sequence[int] | None = None) -> sa.Select[Any]:
    """SQLite: ``columns`` of the rows of ``table`` that hold the search, read from the search
    index in its own order and each looked up by id, with no list of the matches built
    first (for a count that stops early); ``ids``: only these rows, checked before the
    lookup."""
    query = sa.select(*columns).select_from(
        _fts.join(table, table.c.id == _fts.c.rowid + 0)).where(_match(expression))
    return query if ids is None else query.where((_fts.c.rowid + 0).in_(ids))


def matches(table: Any, found: SqliteSearch | PgSearch, *, check_only: bool = False,
            few: bool = False) -> ColumnElement[bool]:
    """The condition that a row of ``table`` (messages or an alias of it) holds the search
    (``sqlite_search`` or ``pg_search``). On SQLite, ``check_only``: each row, read along
    another index, is checked against the list of matches (built once per statement);
    ``few``: only a few rows are checked (a row's repeats), each looked up in the search index
    by its id unless the expression holds a prefix (whose matches FTS5 would list again for
    each); otherwise the matches are the rows a query starts from."""
    if isinstance(found, PgSearch):
        return pg_document(table.c.subject, table.c.text).op("@@")(sa.func.to_tsquery(
            sa.literal_column("'simple'::regconfig"), sa.literal(found.tsquery)))
    expression = found.expression
    if few and "*" not in expression:  # words are letters and digits: "*" is a prefix
        return sa.exists().where(_match(expression), _fts.c.rowid == table.c.id)
    row_id: ColumnElement[int] = (table.c.id + 0) if check_only or few else table.c.id
    return row_id.in_(_hits(expression))


#: SQLite: the triggers that note each message written or whose text changed, for
#: ``list_pending_words`` (PostgreSQL's: ``words_pg_schema``).
WORDS_SQLITE_SCHEMA = (
    "CREATE TRIGGER search_words_added AFTER INSERT ON messages BEGIN "
    "INSERT OR IGNORE INTO search_words_pending(message_id) VALUES (new.id); END",
    "CREATE TRIGGER search_words_changed AFTER UPDATE OF subject, text ON messages BEGIN "
    "INSERT OR IGNORE INTO search_words_pending(message_id) VALUES (new.id); END",
)
WORDS_SQLITE_DROP = ("DROP TRIGGER IF EXISTS search_words_changed",
                     "DROP TRIGGER IF EXISTS search_words_added")


def _pg_words_of(rows: Any) -> str:
    """SQL that lists the words PostgreSQL's index holds in ``rows`` (a table or subquery with
    a subject and a text), as its document reads them (``pg_document``)."""
    from sqlalchemy.dialects import postgresql

    held = sa.select(sa.func.unnest(sa.func.tsvector_to_array(pg_document(
        rows.c.subject, rows.c.text)))).distinct()
    listed = postgresql.insert(_words).from_select(["word"], held).on_conflict_do_nothing(
        index_elements=["word"])
    # named parameters: a percent sign in the punctuation is written once (for the driver,
    # which reads the statement as text, it is doubled when the statement runs)
    dialect = cast(Any, postgresql.dialect)(paramstyle="named")
    return str(listed.compile(dialect=dialect))


def words_pg_schema() -> tuple[str, ...]:
    """PostgreSQL: the triggers that list the words of the messages written (each
    statement's new rows at once) and of a message whose text changed."""
    added = sa.table("added", sa.column("subject", sa.Text), sa.column("text", sa.Text))
    changed = sa.select(sa.literal_column("NEW.subject").label("subject"),
                        sa.literal_column("NEW.text").label("text")).subquery("changed")
    return (
        "CREATE FUNCTION list_added_words() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        + _pg_words_of(added) + "; RETURN NULL; END $$",
        "CREATE TRIGGER search_words_added AFTER INSERT ON messages "
        "REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION list_added_words()",
        "CREATE FUNCTION list_changed_words() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        + _pg_words_of(changed) + "; RETURN NULL; END $$",
        "CREATE TRIGGER search_words_changed AFTER UPDATE OF subject, text ON messages "
        "FOR EACH ROW EXECUTE FUNCTION list_changed_words()",
    )


def words_pg_list_all() -> str:
    """PostgreSQL: list the words of every stored message (when the list is made)."""
    return _pg_words_of(_messages)


WORDS_PG_DROP = ("DROP TRIGGER IF EXISTS search_words_changed ON messages",
                 "DROP TRIGGER IF EXISTS search_words_added ON messages",
                 "DROP FUNCTION IF EXISTS list_changed_words()",
                 "DROP FUNCTION IF EXISTS list_added_words()")


#: SQLite: the FTS5 table over messages' subject and text (FTS_TABLE, FTS_TOKENIZER), and the
#: triggers that keep it so.
SQLITE_SCHEMA = (
    "CREATE VIRTUAL TABLE messages_fts USING fts5(subject, text, content='messages', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER messages_fts_added AFTER INSERT ON messages BEGIN "
    "INSERT INTO messages_fts(rowid, subject, text) VALUES (new.id, new.subject, new.text); END",
    "CREATE TRIGGER messages_fts_removed AFTER DELETE ON messages BEGIN "
    "INSERT INTO messages_fts(messages_fts, rowid, subject, text) "
    "VALUES ('delete', old.id, old.subject, old.text); END",
    "CREATE TRIGGER messages_fts_changed AFTER UPDATE OF subject, text ON messages BEGIN "
    "INSERT INTO messages_fts(messages_fts, rowid, subject, text) "
    "VALUES ('delete', old.id, old.subject, old.text); "
    "INSERT INTO messages_fts(rowid, subject, text) VALUES (new.id, new.subject, new.text); END",
    "INSERT INTO messages_fts(messages_fts) VALUES ('rebuild')",
)
#: SQLite: the search index merged into one segment (an import adds segments that each
#: lookup then reads; a bulk import merges them when it is done).
SQLITE_MERGE = "INSERT INTO messages_fts(messages_fts) VALUES ('optimize')"
SQLITE_DROP = ("DROP TRIGGER IF EXISTS messages_fts_changed",
               "DROP TRIGGER IF EXISTS messages_fts_removed",
               "DROP TRIGGER IF EXISTS messages_fts_added",
               f"DROP TABLE IF EXISTS {FTS_TABLE}")

"""Full-text search of message text, from an index on both stores: SQLite's FTS5 table
``messages_fts`` (kept in step with messages by triggers), PostgreSQL's GIN index over a
``tsvector`` of the same words. Both read letters and digits as words and ignore case and
punctuation; neither stems nor folds accents, so both find the same messages.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

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


#: SQLite: a word searched as a prefix is searched as the indexed words that start with it
#: when there are at most this many. FTS5 lists every match of a prefix before it answers
#: anything (for "museum"* in 93,000 of a million messages, 9 ms against 5 for the word alone,
#: and for every statement that reads it); a plain word's matches are read as needed.
MOST_PREFIX_WORDS = 16
#: SQLite: the search index's vocabulary (one row per indexed word), a temporary table each
#: connection makes when it opens (SQLITE_CONNECTION).
FTS_WORDS = "messages_fts_words"
SQLITE_CONNECTION = (f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{FTS_WORDS} "
                     f"USING fts5vocab(main, {FTS_TABLE}, row)")
_words = sa.table(FTS_WORDS, sa.column("term", sa.Text), sa.column("doc", sa.Integer),
                  schema="temp")


@dataclass(frozen=True)
class SqliteSearch:
    """A search as SQLite's index reads it: its FTS5 MATCH ``expression``, and for a search
    of one word written as indexed words, ``estimate``: how many stored messages hold the
    most common of them (at least that many hold the search; 0 when not known)."""

    expression: str
    estimate: int = 0


def sqlite_search(conn: sa.Connection, search: SearchQuery) -> SqliteSearch:
    """The search with each prefix written as the indexed words that start with it, where
    they are few (MOST_PREFIX_WORDS) and the prefix is ASCII (which FTS5 folds as Python
    does); other prefixes stay prefixes."""
    words: dict[str, list[str]] = {}
    most = 0
    for w in search.words:
        if len(w) >= PREFIX_FROM and w.isascii():
            found = conn.execute(
                sa.select(_words.c.term, _words.c.doc).where(
                    _words.c.term >= w, _words.c.term < w[:-1] + chr(ord(w[-1]) + 1))
                .limit(MOST_PREFIX_WORDS + 1)).all()
            if len(found) <= MOST_PREFIX_WORDS:
                words[w] = [r.term for r in found]
                most = max((int(r.doc) for r in found), default=0)
    one_word = len(search.words) == 1 and not search.phrases and search.words[0] in words
    return SqliteSearch(fts5_query(search, words), most if one_word else 0)


def tsquery(search: SearchQuery) -> str:
    """The same search as a PostgreSQL tsquery (its words are letters and digits only)."""
    terms = [f"{w}:*" if len(w) >= PREFIX_FROM else w for w in search.words]
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


def matches(table: Any, search: SearchQuery | str, *, check_only: bool = False,
            few: bool = False) -> ColumnElement[bool]:
    """The condition that a row of ``table`` (messages or an alias of it) holds the search:
    on PostgreSQL the SearchQuery, on SQLite its ``sqlite_search`` expression. On SQLite,
    ``check_only``: each row, read along another index, is checked against the list of
    matches (built once per statement); ``few``: only a few rows are checked (a row's
    repeats), each looked up in the search index by its id unless the expression holds a
    prefix (whose matches FTS5 would list again for each); otherwise the matches are the rows
    a query starts from."""
    if isinstance(search, SearchQuery):
        return pg_document(table.c.subject, table.c.text).op("@@")(sa.func.to_tsquery(
            sa.literal_column("'simple'::regconfig"), sa.literal(tsquery(search))))
    if few and "*" not in search:  # words are letters and digits: "*" is a prefix
        return sa.exists().where(_match(search), _fts.c.rowid == table.c.id)
    row_id: ColumnElement[int] = (table.c.id + 0) if check_only or few else table.c.id
    return row_id.in_(_hits(search))


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

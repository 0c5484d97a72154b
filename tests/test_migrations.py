"""Migrations build exactly the schema the tables declare, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from civicshield.storage.database import (
    HEAD,
    current_revision,
    head_revision,
    make_engine,
    migrate,
)
from civicshield.storage.tables import metadata


def _declared(name: str | None, kind: str, _parent: object) -> bool:
    """What tables.py declares: all but the search index, which only a migration writes
    (an FTS5 table and its shadow tables on SQLite, an expression index on PostgreSQL;
    tests/test_search.py checks it)."""
    return not (name or "").startswith(("messages_fts", "ix_messages_search"))


def test_migrated_schema_matches_the_tables(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate(engine)
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": _declared})
        diff = compare_metadata(context, metadata)
    assert diff == []
    assert current_revision(engine) == head_revision(engine)
    assert head_revision(engine) == HEAD == "0016_bulk_rows_grouped_later"
    assert "messages" in inspect(engine).get_table_names()


def test_migrating_twice_is_harmless(database_url: str) -> None:
    engine = make_engine(database_url)
    migrate(engine)
    migrate(engine)
    assert current_revision(engine) == head_revision(engine)


def test_sqlite_store_runs_in_wal_mode(tmp_path: object) -> None:
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    engine = make_engine(f"sqlite:///{tmp_path / 'wal.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1

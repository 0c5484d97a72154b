"""Opening the store: engine set-up (SQLite in WAL mode, or PostgreSQL) and migrations."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from civicshield.domain.errors import ConfigError
from civicshield.storage.search import READER_DB
from civicshield.storage.tables import name_postgresql_conditions

MIGRATIONS = Path(__file__).parent / "migrations"


#: The first bytes of an SQLite file that is not encrypted.
PLAIN_SQLITE = b"SQLite format 3\x00"


def make_engine(url: str, *, key: bytes | None = None, pool_size: int = 5,
                pool_overflow: int = 10) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout. With ``key`` the
    SQLite store is encrypted whole with SQLCipher (AES-256: the database, its WAL and its
    shared memory file), under that raw 32-byte key. PostgreSQL connections are pooled:
    ``pool_size`` kept open, up to ``pool_overflow`` more when busy, each checked before use."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        options: dict[str, Any] = {"connect_args": {"timeout": 30, "check_same_thread": False}}
        if key is not None:
            import sqlcipher3.dbapi2

            options["module"] = sqlcipher3.dbapi2
        engine = create_engine(url, **options)
        event.listen(engine, "connect", _keyed_pragmas(key))
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    if url.startswith("postgresql"):
        name_postgresql_conditions()
        engine = create_engine(url, pool_pre_ping=True, pool_size=pool_size,
                               max_overflow=pool_overflow, pool_timeout=30)
        event.listen(engine, "connect", _postgresql_session)
        return engine
    raise ConfigError("CIVICSHIELD_DATABASE_URL must name a sqlite:/// or postgresql:// store")


def _keyed_pragmas(key: bytes | None) -> Any:
    def on_connect(dbapi_connection: Any, record: Any) -> None:
        if key is not None:  # the key comes before anything else reads the file
            dbapi_connection.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
        _sqlite_pragmas(dbapi_connection, record)
    return on_connect


def encrypt_plain_store(path: Path, key: bytes) -> bool:
    """Encrypt an SQLite store that was written in clear (by an earlier version), in place;
    True when it did. The clear copy is overwritten and removed."""
    if not path.is_file() or path.read_bytes()[:16] != PLAIN_SQLITE:
        return False
    import sqlcipher3.dbapi2

    target = path.with_name(path.name + ".encrypting")
    target.unlink(missing_ok=True)
    plain = sqlcipher3.dbapi2.connect(str(path))
    try:
        plain.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        plain.execute(f"ATTACH DATABASE ? AS encrypted KEY \"x'{key.hex()}'\"", (str(target),))
        plain.execute("SELECT sqlcipher_export('encrypted')")
        version = plain.execute("PRAGMA user_version").fetchone()[0]
        plain.execute(f"PRAGMA encrypted.user_version = {int(version)}")
        plain.execute("DETACH DATABASE encrypted")
    finally:
        plain.close()
    size = path.stat().st_size
    with path.open("r+b") as handle:  # overwrite the clear copy before it goes
        handle.write(b"\x00" * size)
    target.chmod(0o600)
    target.replace(path)
    for extra in (path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        extra.unlink(missing_ok=True)
    return True


#: Each SQLite connection's page cache, in KiB (SQLite's sorter may hold as much again).
SQLITE_CACHE_KIB = 65536
#: ... while a whole index is built or the search index merged (each reads every page of its
#: index once, so a large cache gains it little, and memory stays flat however large the store).
SQLITE_SMALL_CACHE_KIB = 8192


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # let SQLAlchemy's BEGIN below take over
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")
    cursor.execute(f"ATTACH DATABASE ':memory:' AS {READER_DB}")  # storage.search's reader
    cursor.close()


def _postgresql_session(dbapi_connection: Any, _record: Any) -> None:
    # Plan each statement for its own values. psycopg prepares a statement on the server from
    # its fifth run, and the server then switches to one generic plan for every value, which
    # for one busy sender's queue read the whole queue's index (20 ms became 150 to 330 ms
    # at a million messages).
    autocommit = dbapi_connection.autocommit
    dbapi_connection.autocommit = True
    dbapi_connection.execute("SET plan_cache_mode = force_custom_plan")
    dbapi_connection.autocommit = autocommit


def _sqlite_begin(conn: Connection) -> None:
    # A unit of work that reads and then writes asks for the write lock up front ("BEGIN
    # IMMEDIATE", waiting up to the busy timeout): a deferred one that must upgrade while
    # another connection writes fails at once with "database is locked".
    # A writing one also starts with the connection's temporary schema closed (changing where
    # temporary data goes closes it; nothing is kept there: storage.search's reader is in a
    # database of its own), since only then may it send a large sort to disk
    # (SqlRepository._small_cache, an index built again).
    mode = conn.get_execution_options().get("sqlite_begin", "")
    if mode == "IMMEDIATE":
        conn.exec_driver_sql("PRAGMA temp_store=FILE")
        conn.exec_driver_sql("PRAGMA temp_store=DEFAULT")
    conn.exec_driver_sql(f"BEGIN {mode}" if mode == "IMMEDIATE" else "BEGIN")


#: The newest migration shipped with this version (tests/test_migrations.py checks that it is
#: the migrations' head): a command checks the store against it without loading Alembic.
HEAD = "0016_bulk_rows_grouped_later"


def alembic_config(engine: Engine) -> Any:
    """Alembic configuration pointing at the packaged migrations."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    # configparser reads "%" as interpolation: a URL's escapes (a password, a CA file's path)
    # are doubled to stay themselves
    config.set_main_option("sqlalchemy.url",
                           engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    config.attributes["engine"] = engine
    return config


@contextmanager
def plain_store_errors() -> Iterator[None]:
    """A store that cannot be reached or changed, said in one line (ConfigError)."""
    try:
        yield
    except DBAPIError as exc:
        if getattr(exc.orig, "sqlstate", "") == "42501":  # insufficient privilege
            raise ConfigError("this database user may not change the store's tables: run "
                              "`civicshield init` as the database's owner (docs/postgresql.md)"
                              ) from exc
        first = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else ""
        raise ConfigError(f"cannot use the store: {first or type(exc.orig).__name__}") from exc


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (forward only)."""
    from alembic import command

    with plain_store_errors():
        command.upgrade(alembic_config(engine), "head")


def current_revision(engine: Engine) -> str | None:
    """The migration the store is at, or None for an empty store."""
    with plain_store_errors(), engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def head_revision(engine: Engine) -> str | None:
    """The newest migration shipped with this version, as Alembic reads the migrations."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config(engine)).get_current_head()


def check_current(engine: Engine) -> None:
    """Refuse to run on a store that is missing or older than this version."""
    current = current_revision(engine)
    if current is None:
        raise ConfigError("the store is not initialised yet: run `civicshield init` first")
    if current != HEAD:
        raise ConfigError("the store needs upgrading: run `civicshield init` to migrate it")


@contextmanager
def connect(engine: Engine, *, write: bool = False) -> Iterator[Connection]:
    """One transaction: committed when the block ends, rolled back on any error. ``write``:
    the unit of work reads, then writes; on SQLite it takes the write lock at the start."""
    with engine.connect() as conn:
        if write:
            conn.execution_options(sqlite_begin="IMMEDIATE")
        with conn.begin():
            yield conn

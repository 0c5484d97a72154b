"""One import at a time: a writer lock shared by every process of a workspace (a lock file in
the data folder on SQLite, an advisory lock on PostgreSQL). A second import waits its turn and
says so instead of failing with "database is locked"."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text

#: The advisory lock's number on PostgreSQL (any fixed 64-bit value).
PG_IMPORT_LOCK = 0x63697669  # "civi"


@contextmanager
def import_lock(engine: Engine, data_dir: Path,
                on_wait: Callable[[], None] = lambda: None) -> Iterator[None]:
    """Hold the workspace's import lock for the block; ``on_wait`` is called once when another
    import holds it and this one has to wait."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            if not conn.execute(text("SELECT pg_try_advisory_lock(:k)"),
                                {"k": PG_IMPORT_LOCK}).scalar():
                on_wait()
                conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": PG_IMPORT_LOCK})
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": PG_IMPORT_LOCK})
                conn.commit()
        return
    data_dir.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(data_dir / "import.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            on_wait()
            fcntl.flock(descriptor, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)
    finally:
        os.close(descriptor)

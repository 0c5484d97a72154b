"""The SQLite store is encrypted whole (SQLCipher: the database, its WAL and shared memory),
under a key derived from the workspace key; a store an earlier version wrote in clear is
encrypted by `civicshield init`; the wrong key is a plain error."""

from __future__ import annotations

from pathlib import Path

import pytest

from civicshield.app import CivicShield
from civicshield.config import load_settings
from civicshield.crypto import new_key
from civicshield.domain.access import cli_actor
from civicshield.domain.errors import ConfigError
from civicshield.storage.database import PLAIN_SQLITE, make_engine, migrate
from tests.conftest import PROFILE, SAMPLES, make_settings


def clear_bytes(folder: Path) -> bytes:
    return b"".join(p.read_bytes() for p in folder.rglob("*") if p.is_file())


def test_nothing_of_the_profile_or_the_messages_is_in_clear(tmp_path: Path) -> None:
    service, _ = CivicShield.initialise(make_settings(tmp_path / "data"))
    service.principals.add(cli_actor(), "mayor", "Elena Marsh", "Mayor", PROFILE)
    service.triage.import_file(cli_actor(), SAMPLES / "generic.jsonl")
    store = tmp_path / "data" / "civicshield.db"
    assert store.read_bytes()[:16] != PLAIN_SQLITE
    everything = clear_bytes(tmp_path / "data")
    for secret in (b"Larkspur", b"Potholes", b"Watch your back", b"Pat Reyes", b"Sofia Marsh"):
        assert secret not in everything
    from civicshield.domain.ports import QueueFilter

    assert service.triage.queue(QueueFilter())[1] > 0  # and it all still reads back


def test_a_store_written_in_clear_is_encrypted_by_init(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data")
    CivicShield.initialise(settings)  # makes the key files
    store = tmp_path / "data" / "civicshield.db"
    store.unlink()
    plain = make_engine(settings.resolved_database_url)  # as an earlier version did
    migrate(plain)
    with plain.begin() as conn:
        conn.exec_driver_sql("INSERT INTO principals (slug, display_name, title, created_at) "
                             "VALUES ('mayor', 'Elena Marsh in clear', '', '2026-01-01')")
    plain.dispose()
    assert store.read_bytes()[:16] == PLAIN_SQLITE
    with pytest.raises(ConfigError, match="not encrypted yet: run `civicshield init`"):
        CivicShield.open(settings)
    reopened, _ = CivicShield.initialise(settings)
    assert store.read_bytes()[:16] != PLAIN_SQLITE
    assert b"Elena Marsh in clear" not in clear_bytes(tmp_path / "data")
    assert [p.display_name for p in reopened.principals.all()] == [
        "Elena Marsh in clear"]


def test_the_wrong_key_is_one_plain_line(tmp_path: Path) -> None:
    settings = make_settings(tmp_path / "data")
    CivicShield.initialise(settings)
    other = load_settings({"CIVICSHIELD_DATA_DIR": str(tmp_path / "data"),
                           "CIVICSHIELD_SECRET_KEY": new_key()})
    with pytest.raises(ConfigError, match="encrypted with another key"):
        CivicShield.open(other)

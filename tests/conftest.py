"""Shared fixtures: settings in a temporary folder, a service on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from civicshield.app import CivicShield
from civicshield.config import Settings, load_settings
from civicshield.domain.access import cli_actor
from civicshield.domain.models import User
from civicshield.domain.profile import ProtectedProfile
from tests.pg_server import PostgresServer, find_bin

SAMPLES = Path(__file__).parent / "samples"
PROFILE = ProtectedProfile(
    name="Elena Marsh", aliases=("Mayor Marsh",),
    home_address="4127 Larkspur Ln Apt 2B, Riverton, CA 95820", phones=("(916) 555-0143",),
    emails=("elena.marsh.home@example.net",), family=("Daniel Marsh", "Sofia Marsh"),
    schools=("Oakwood Elementary",), vehicles=("Blue Subaru Outback, plate 8ABC123",))


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer | None]:
    """One PostgreSQL server for the session, or None where it is not installed (never in CI)."""
    bindir = find_bin()
    if bindir is None:
        if os.environ.get("CIVICSHIELD_REQUIRE_POSTGRES") == "1":
            pytest.fail("PostgreSQL is required (CIVICSHIELD_REQUIRE_POSTGRES=1) but not installed")
        yield None
        return
    server = PostgresServer(bindir)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def make_settings(data_dir: Path, database_url: str = "", **extra: str) -> Settings:
    env = {"CIVICSHIELD_DATA_DIR": str(data_dir), "CIVICSHIELD_DATABASE_URL": database_url,
           # the test sites are served on loopback: allowed by name, as an admin would
           "CIVICSHIELD_EXPOSURE_ALLOWED_HOSTS": "127.0.0.1"} | {
        f"CIVICSHIELD_{k.upper()}": v for k, v in extra.items()}
    return load_settings(env)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty store on each supported database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    server = request.getfixturevalue("pg_server")
    if server is None:
        pytest.skip("PostgreSQL is not installed")
    url: str = server.new_database()
    return url


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return make_settings(tmp_path / "data", database_url)


@pytest.fixture
def service(settings: Settings) -> CivicShield:
    """An initialised workspace with one principal, 'mayor', whose profile is PROFILE."""
    svc, _ = CivicShield.initialise(settings)
    svc.principals.add(cli_actor(), "mayor", "Elena Marsh", "Mayor of Riverton", PROFILE)
    return svc


@pytest.fixture
def sqlite_service(tmp_path: Path) -> CivicShield:
    """Like ``service`` but on SQLite only, for tests about something else than storage."""
    svc, _ = CivicShield.initialise(make_settings(tmp_path / "data"))
    svc.principals.add(cli_actor(), "mayor", "Elena Marsh", "Mayor of Riverton", PROFILE)
    return svc


@pytest.fixture
def admin() -> User:
    return cli_actor()


@pytest.fixture(scope="session")
def dovecot() -> Iterator[object]:
    """A Dovecot IMAP server on loopback with one mailbox (skipped where Dovecot is not
    installed, never in CI)."""
    from tests.mail_servers import Dovecot, find_dovecot

    binary = find_dovecot()
    if binary is None:
        if os.environ.get("CIVICSHIELD_REQUIRE_IMAP") == "1":
            pytest.fail("Dovecot is required (CIVICSHIELD_REQUIRE_IMAP=1) but not installed")
        pytest.skip("Dovecot is not installed (apt-get install dovecot-imapd)")
    server = Dovecot(binary)
    server.start({"mayor@riverton.test": "s3cret-Pass", "clerk@riverton.test": "clerk-Pass"})
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def smtp_sink() -> Iterator[object]:
    """An SMTP server on loopback that keeps what it is sent."""
    from tests.mail_servers import SmtpSink

    sink = SmtpSink()
    sink.start()
    try:
        yield sink
    finally:
        sink.stop()

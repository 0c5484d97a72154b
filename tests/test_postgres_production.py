"""The production set-up of docs/postgresql.md, done as the page says on a server of its own:
two roles (the page's SQL, read from the page), TLS with the certificate checked, `init` as
the owner, the work as the application role (which cannot change the schema), connections
pooled, a backup with pg_dump restored into an empty database and checked."""

from __future__ import annotations

import hashlib
import ipaddress
import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from sqlalchemy import text

from tests.pg_server import PostgresServer, find_bin

pytestmark = pytest.mark.postgres
ROOT = Path(__file__).resolve().parents[1]
GUIDE = (ROOT / "docs" / "postgresql.md").read_text(encoding="utf-8")
PASSWORDS = {"choose-a-long-owner-password": "owner-Secret-4471",
             "choose-a-long-app-password": "app-Secret-9083"}
HBA = """\
local    all  postgres                           trust
hostssl  all  civicshield_owner,civicshield_app  127.0.0.1/32  scram-sha-256
host     all  all                                0.0.0.0/0     reject
"""


def _authority(name: str) -> tuple[Any, x509.Certificate]:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=30))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .sign(key, hashes.SHA256()))
    return key, cert


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def _server_files(ca_key: Any, ca: x509.Certificate) -> dict[str, bytes]:
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
            .issuer_name(ca.subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([
                x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                critical=False)
            .sign(ca_key, hashes.SHA256()))
    return {"server.crt": _pem(cert),
            "server.key": key.private_bytes(serialization.Encoding.PEM,
                                            serialization.PrivateFormat.PKCS8,
                                            serialization.NoEncryption())}


def _sql_blocks() -> list[str]:
    blocks = re.findall(r"```sql\n(.*?)```", GUIDE, re.S)
    assert len(blocks) == 2, "the guide's two SQL blocks"
    for placeholder, password in PASSWORDS.items():
        blocks = [b.replace(placeholder, password) for b in blocks]
    return blocks


def _run(conn: Any, block: str) -> None:
    for statement in (s.strip() for s in block.split(";")):
        if statement:
            conn.execute(statement)


class Production:
    """The server, the CA file and the URLs of the guide."""

    def __init__(self, server: PostgresServer, ca_file: Path, other_ca: Path) -> None:
        self.server, self.ca_file, self.other_ca = server, ca_file, other_ca

    def libpq(self, role: str, database: str = "civicshield", *, ca: Path | None = None,
              sslmode: str = "verify-full") -> str:
        return (f"host=127.0.0.1 port={self.server.port} dbname={database} user={role} "
                f"sslmode={sslmode} sslrootcert={ca or self.ca_file}")

    def url(self, role: str, database: str = "civicshield") -> str:
        password = PASSWORDS[f"choose-a-long-{role.split('_')[1]}-password"]
        return (f"postgresql+psycopg://{role}:{password}@127.0.0.1:{self.server.port}/"
                f"{database}?sslmode=verify-full&sslrootcert={self.ca_file}")

    def password(self, role: str) -> str:
        return PASSWORDS[f"choose-a-long-{role.split('_')[1]}-password"]


@pytest.fixture(scope="module")
def production(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Production]:
    bindir = find_bin()
    if bindir is None:
        if os.environ.get("CIVICSHIELD_REQUIRE_POSTGRES") == "1":
            pytest.fail("PostgreSQL is required (CIVICSHIELD_REQUIRE_POSTGRES=1) but not installed")
        pytest.skip("PostgreSQL is not installed")
    folder = tmp_path_factory.mktemp("tls")
    ca_key, ca = _authority("office database CA")
    (folder / "db-ca.pem").write_bytes(_pem(ca))
    (folder / "other-ca.pem").write_bytes(_pem(_authority("someone else")[1]))
    server = PostgresServer(bindir)
    server.start(hba=HBA, files=_server_files(ca_key, ca),
                 options="-c ssl=on -c ssl_cert_file=server.crt -c ssl_key_file=server.key")
    try:
        first, second = _sql_blocks()
        with server.admin() as conn:  # type: ignore[attr-defined]
            _run(conn, first)
        with server.admin("civicshield") as conn:  # type: ignore[attr-defined]
            _run(conn, second)
        yield Production(server, folder / "db-ca.pem", folder / "other-ca.pem")
    finally:
        server.stop()


def cli(*args: str, data: Path, url: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CIVICSHIELD_DATA_DIR": str(data)}
    env.pop("CIVICSHIELD_DATABASE_URL", None)
    url_file = data.parent / f"url-{hashlib.sha256(url.encode()).hexdigest()[:12]}"
    url_file.write_text(url, encoding="utf-8")
    url_file.chmod(0o600)
    env["CIVICSHIELD_DATABASE_URL_FILE"] = str(url_file)
    return subprocess.run([sys.executable, "-m", "civicshield", *args], env=env,
                          capture_output=True, text=True, timeout=300, check=False)


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture(scope="module")
def data(production: Production, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The data folder of a store set up as the guide says: the application role cannot
    set it up, the owner can."""
    folder = tmp_path_factory.mktemp("production") / "data"
    refused = cli("init", data=folder, url=production.url("civicshield_app"))
    assert refused.returncode != 0 and "\n" not in refused.stderr.strip()
    ok(cli("init", data=folder, url=production.url("civicshield_owner")))
    return folder


def test_the_guide_from_roles_to_a_restored_backup(production: Production, data: Path,
                                                   tmp_path: Path) -> None:
    app = production.url("civicshield_app")
    # the work, as the application role
    ok(cli("principals", "add", "mayor", "Elena Marsh", data=data, url=app))
    imported = ok(cli("import", str(ROOT / "tests" / "samples" / "generic.jsonl"),
                      "--principal", "mayor", data=data, url=app))
    assert "added" in imported
    queue = [json.loads(line) for line in ok(cli("queue", "--state", "new", "--json",
                                                  "--limit", "100", data=data,
                                                  url=app)).splitlines()]
    assert queue
    ok(cli("incidents", "open", str(queue[0]["id"]), "--title", "Restore check", data=data,
           url=app))
    assert ok(cli("evidence", "verify", data=data, url=app)).startswith("OK: ")
    everything = ok(cli("queue", "--state", "all", "--json", "--limit", "100", data=data,
                        url=app))
    word = re.findall(r"[A-Za-z]{5,}", queue[0]["text"])[0]
    found = ok(cli("queue", "--state", "all", "--search", word, "--json", data=data, url=app))
    assert str(queue[0]["id"]) in {str(json.loads(line)["id"]) for line in found.splitlines()}

    # least privilege: rows yes, schema no
    with psycopg.connect(production.libpq("civicshield_app"),
                         password=production.password("civicshield_app")) as conn:
        for statement in ("CREATE TABLE intruder (id int)", "DROP TABLE messages",
                          "ALTER TABLE messages ADD COLUMN extra int",
                          "CREATE INDEX ix_intruder ON messages (id)"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege), conn.transaction():
                conn.execute(statement)

    # a backup, restored into an empty database, is the same store
    environment = {"PGPASSWORD": production.password("civicshield_owner")}
    dump = tmp_path / "civicshield.dump"
    production.server.tool("pg_dump", "--format=custom", f"--file={dump}",
                           production.libpq("civicshield_owner"), env=environment)
    production.server.tool("createdb", "-h", str(production.server.root), "-p",
                           str(production.server.port), "-U", "postgres",
                           "--owner=civicshield_owner", "--template=template0", "restored")
    with production.server.admin() as conn:  # type: ignore[attr-defined]
        conn.execute("GRANT CONNECT ON DATABASE restored TO civicshield_app")
    production.server.tool("pg_restore", "--exit-on-error", "--single-transaction",
                           "--no-owner",
                           f"--dbname={production.libpq('civicshield_owner', 'restored')}",
                           str(dump), env=environment)
    restored = production.url("civicshield_app", "restored")
    assert ok(cli("evidence", "verify", data=data, url=restored)).startswith("OK: ")
    assert ok(cli("queue", "--state", "all", "--json", "--limit", "100", data=data,
                  url=restored)) == everything
    found = ok(cli("queue", "--state", "all", "--search", word, "--json", data=data,
                   url=restored))
    assert str(queue[0]["id"]) in {str(json.loads(line)["id"]) for line in found.splitlines()}


def test_connections_need_tls_and_the_office_authority(production: Production) -> None:
    password = production.password("civicshield_app")
    with pytest.raises(psycopg.OperationalError, match=r"reject|no pg_hba\.conf entry"):
        psycopg.connect(production.libpq("civicshield_app", sslmode="disable"),
                        password=password).close()
    with pytest.raises(psycopg.OperationalError, match="certificate verify failed"):
        psycopg.connect(production.libpq("civicshield_app", ca=production.other_ca),
                        password=password).close()
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(production.libpq("civicshield_app"), password="wrong").close()
    with psycopg.connect(production.libpq("civicshield_app"), password=password) as conn:
        assert conn.execute("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"
                            ).fetchone() == (True,)


def test_a_process_reuses_its_pooled_connections(production: Production, data: Path) -> None:
    from civicshield.app import CivicShield
    from tests.conftest import make_settings

    service = CivicShield.open(make_settings(data, production.url("civicshield_app"),
                                             db_pool_size="2", db_pool_overflow="0"))
    engine = service.context.engine
    backends: set[int] = set()
    lock = threading.Lock()

    def work() -> None:
        for _ in range(5):
            with engine.connect() as conn:
                pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
                conn.execute(text("SELECT pg_sleep(0.02)"))
            with lock:
                backends.add(int(pid))

    threads = [threading.Thread(target=work) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    assert 1 <= len(backends) <= 2  # 30 units of work over at most two server connections
    assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    engine.dispose()


def test_each_statement_is_planned_for_its_own_values(production: Production,
                                                      data: Path) -> None:
    """psycopg prepares a statement on the server from its fifth run, and the server would then
    plan it once for every value (one busy sender's queue read along the whole queue's index):
    every connection of the pool, as the application role, plans for the values given."""
    from civicshield.app import CivicShield
    from tests.conftest import make_settings

    service = CivicShield.open(make_settings(data, production.url("civicshield_app"),
                                             db_pool_size="1", db_pool_overflow="0"))
    engine = service.context.engine
    for _ in range(2):  # a new connection, then the same one back from the pool
        with engine.connect() as conn:
            assert conn.execute(text("SHOW plan_cache_mode")).scalar_one() == "force_custom_plan"
            conn.rollback()
    engine.dispose()

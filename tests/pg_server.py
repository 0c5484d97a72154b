"""A throwaway PostgreSQL server on loopback for the suite, from Debian's packages."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path


def find_bin() -> Path | None:
    """The newest installed PostgreSQL bin folder."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(p.split("/")[4]))
    return Path(found[-1]).parent if found else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PostgresServer:
    """initdb + pg_ctl in a temporary folder; as root, the server runs as the postgres user."""

    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.root = Path(tempfile.mkdtemp(prefix="civicshield-pg-"))
        self.data = self.root / "data"
        self.port = free_port()
        self._counter = 0

    def _run(self, *args: str) -> None:
        command = [str(self.bindir / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        subprocess.run(command, check=True, capture_output=True, timeout=120)

    def start(self, *, hba: str = "", files: dict[str, bytes] | None = None,
              options: str = "") -> None:
        """initdb and start. ``hba``: a pg_hba.conf to use instead of trusting every local
        connection; ``files``: written into the data folder (a TLS key and certificate),
        readable by the server only; ``options``: more ``-c name=value`` settings."""
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(self.root, user.pw_uid, user.pw_gid)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
                  "-E", "UTF8", "--no-sync")
        if hba:
            self._write(self.data / "pg_hba.conf", hba.encode())
        for name, content in (files or {}).items():
            self._write(self.data / name, content)
        self._run("pg_ctl", "-D", str(self.data), "-w", "-l", str(self.root / "log"),
                  "-o", f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 "
                        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                        + options,
                  "start")

    def _write(self, path: Path, content: bytes) -> None:
        path.write_bytes(content)
        path.chmod(0o600)
        if os.geteuid() == 0:
            user = pwd.getpwnam("postgres")
            os.chown(path, user.pw_uid, user.pw_gid)

    def admin(self, database: str = "postgres") -> object:
        """A superuser connection over the server's own socket (autocommit)."""
        import psycopg

        return psycopg.connect(f"host={self.root} port={self.port} user=postgres "
                               f"dbname={database}", autocommit=True)

    def tool(self, name: str, *args: str, env: dict[str, str] | None = None) -> str:
        """Run one of the server's programs (pg_dump, pg_restore) as this user; its output."""
        done = subprocess.run([str(self.bindir / name), *args], check=True, capture_output=True,
                              text=True, timeout=300, env={**os.environ, **(env or {})})
        return done.stdout

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        """A fresh empty database's URL."""
        import psycopg

        self._counter += 1
        name = f"cs_test_{os.getpid()}_{self._counter}"
        with psycopg.connect(f"host={self.root} port={self.port} user=postgres "
                             "dbname=postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

"""`civicshield hygiene` in a real process."""

from __future__ import annotations

from pathlib import Path

from tests.hygiene.conftest import KDBX_PASSWORD, VAULTS, make_kdbx
from tests.test_cli import cli


def test_the_command_line_audits_and_reports(tmp_path: Path) -> None:
    data = tmp_path / "data"
    cli("init", data=data)
    cli("principals", "add", "mayor", "Elena Marsh", data=data)
    out = cli("hygiene", "audit", str(VAULTS / "lastpass.csv"), "--person", "Elena Marsh",
              data=data).stdout
    assert "Audit #1: 6 logins from a lastpass-csv export" in out
    assert "shared password 1: facebook.com, x.com" in out
    assert "Weak password: 2." in out
    kdbx = make_kdbx(tmp_path)
    out = cli("hygiene", "audit", str(kdbx), "--person", "Elena Marsh", data=data,
              stdin=KDBX_PASSWORD + "\n").stdout
    assert "Audit #2: 6 logins from a kdbx export" in out
    listed = cli("hygiene", "list", data=data).stdout
    assert "#2" in listed and "#1" in listed
    cli("hygiene", "report", "1", "--pdf", str(tmp_path / "r.pdf"), "--csv",
        str(tmp_path / "r.csv"), data=data)
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")
    assert "summer" not in (tmp_path / "r.csv").read_text()
    bad = cli("hygiene", "audit", str(VAULTS / "1pux" / "export.attributes"), "--person", "E",
              data=data, check=False)
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1
    assert bad.stderr.startswith("error: export.attributes:")

"""The data folder is its owner's alone: 0700, and every file in it 0600, checked and tightened
whenever a workspace opens (issue 20, item 6)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from civicshield.app import CivicShield
from civicshield.domain.access import cli_actor
from tests.conftest import PROFILE, SAMPLES, make_settings


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _loose_everything(folder: Path) -> None:
    os.chmod(folder, 0o755)
    for path in folder.rglob("*"):
        os.chmod(path, 0o755 if path.is_dir() else 0o644)


def test_a_new_workspace_is_for_its_owner_only(tmp_path: Path) -> None:
    data = tmp_path / "data"
    old = os.umask(0o022)  # a typical default that would make files world-readable
    try:
        service, _ = CivicShield.initialise(make_settings(data))
        service.principals.add(cli_actor(), "mayor", "Elena Marsh", "Mayor of Riverton", PROFILE)
        service.triage.import_file(cli_actor(), SAMPLES / "generic.jsonl")
    finally:
        os.umask(old)
    files = [p for p in data.rglob("*") if p.is_file()]
    names = {p.name for p in files}
    assert {"civicshield.db", "civicshield.db-wal", "civicshield.db-shm", "secret.key",
            "evidence-signing.key"} <= names
    assert _mode(data) == 0o700
    assert {p.name: _mode(p) for p in files} == dict.fromkeys(names, 0o600)


def test_opening_tightens_a_folder_someone_loosened(tmp_path: Path) -> None:
    data = tmp_path / "data"
    CivicShield.initialise(make_settings(data))
    _loose_everything(data)
    CivicShield.open(make_settings(data))
    assert _mode(data) == 0o700
    assert all(_mode(p) == 0o600 for p in data.rglob("*") if p.is_file())


def test_the_command_line_says_what_it_tightened(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {**os.environ, "CIVICSHIELD_DATA_DIR": str(data)}
    env.pop("CIVICSHIELD_DATABASE_URL", None)
    subprocess.run([sys.executable, "-m", "civicshield", "init"], env=env, check=True,
                   capture_output=True, timeout=120)
    _loose_everything(data)
    run = subprocess.run([sys.executable, "-m", "civicshield", "queue"], env=env,
                         capture_output=True, text=True, timeout=120, check=True)
    assert "data folder tightened" in run.stderr and "secret.key" in run.stderr
    assert _mode(data) == 0o700

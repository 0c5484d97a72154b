"""The command line, run as a user runs it: a real process, real files, real store."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import PROFILE, SAMPLES


def cli(*args: str, data: Path, stdin: str = "", check: bool = True,
        ) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CIVICSHIELD_DATA_DIR": str(data),
           "CIVICSHIELD_EXPOSURE_ALLOWED_HOSTS": "127.0.0.1"}  # the test sites, on loopback
    env.pop("CIVICSHIELD_DATABASE_URL", None)
    result = subprocess.run([sys.executable, "-m", "civicshield", *args], input=stdin, env=env,
                            capture_output=True, text=True, timeout=120, check=False)
    if check:
        assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("cli")
    out = cli("init", data=folder / "data").stdout
    assert "one-time password" in out and "Back it up" in out
    profile = folder / "profile.json"
    profile.write_text(PROFILE.to_json(), encoding="utf-8")
    cli("principals", "add", "mayor", "Elena Marsh", "--profile", str(profile),
        data=folder / "data")
    return folder / "data"


def test_classify_follows_the_contract(tmp_path: Path) -> None:
    profile = tmp_path / "profile.json"
    profile.write_text(PROFILE.to_json(), encoding="utf-8")
    lines = [{"id": 1, "text": "We know where you live. 4127 Larkspur Ln."},
             {"id": "b", "text": "Thanks for fixing the potholes!"},
             {"id": "c", "text": "Nice legs. Send nudes, you stupid bitch"}]
    stdin = "\n".join(json.dumps(line) for line in lines) + "\n"
    result = cli("classify", "--profile", str(profile), data=tmp_path / "unused", stdin=stdin)
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == [1, "b", "c"]
    for o in out:
        assert set(o) == {"id", "scores", "flags", "reasons"}
        assert set(o["scores"]) >= {"threat", "harassment", "sexual_harassment",
                                    "identity_attack", "insult", "doxxing", "spam"}
        assert all(0.0 <= v <= 1.0 for v in o["scores"].values())
        for reason in o["reasons"]:
            assert set(reason) == {"label", "detector", "span", "why"}
    assert {"threat", "doxxing"} <= set(out[0]["flags"])
    assert out[1]["flags"] == [] and out[1]["reasons"] == []
    assert {"sexual_harassment", "harassment", "insult"} <= set(out[2]["flags"])
    span = next(r["span"] for r in out[0]["reasons"] if r["detector"] == "profile-match")
    assert lines[0]["text"][span[0]:span[1]].startswith("4127 Larkspur")  # type: ignore[index]
    without = cli("classify", data=tmp_path / "unused", stdin=stdin)
    assert "doxxing" not in json.loads(without.stdout.splitlines()[0])["flags"]


def test_classify_names_the_bad_line(tmp_path: Path) -> None:
    result = cli("classify", data=tmp_path, stdin='{"id": 1, "text": "ok"}\n{"id": 2}\n',
                 check=False)
    assert result.returncode == 1
    assert "line 2, field 'text'" in result.stderr


def test_import_twice_then_queue(data: Path) -> None:
    first = cli("import", str(SAMPLES / "generic.jsonl"), data=data).stdout
    assert "3 added, 0 already stored" in first
    again = cli("import", str(SAMPLES / "generic.jsonl"), data=data).stdout
    assert "0 added, 3 already stored" in again
    queue = cli("queue", "--json", data=data).stdout.splitlines()
    top = json.loads(queue[0])
    assert "threat" in top["flags"]


def test_malformed_import_is_refused_with_file_line_and_field(data: Path) -> None:
    result = cli("import", str(SAMPLES / "malformed.csv"), data=data, check=False)
    assert result.returncode == 1
    assert "malformed.csv, line 4, field 'created_at'" in result.stderr
    assert "Nothing from this file was stored" in result.stderr


def test_a_contact_form_export_is_imported_through_a_column_mapping(data: Path) -> None:
    form = str(SAMPLES / "forms" / "jotform.csv")
    refused = cli("import", form, data=data, check=False)
    assert refused.returncode == 1 and "Map its columns" in refused.stderr
    none_saved = cli("import", form, "--map", "saved", data=data, check=False)
    assert "no columns are saved for this form yet" in none_saved.stderr
    wrong = cli("import", form, "--map", "when=Submission Date", data=data, check=False)
    assert "'when=Submission Date': write field=Column" in wrong.stderr
    spelled = cli("import", form, "--map", "created_at=Submission Date;text=Message;"
                  "author_email=E-mail;author_name=Full Name;id=Submission ID;subject=Subject",
                  data=data).stdout
    assert "jotform.csv (form): 2 added, 0 already stored" in spelled
    guessed = cli("import", form, "--map", "guess", data=data).stdout
    assert "0 added, 2 already stored" in guessed  # the same rows, the same ids


def test_analyze_users_and_help(data: Path) -> None:
    analysed = cli("analyze", "--all", "--batch-size", "2", data=data)
    assert "Analysed" in analysed.stdout and "Analysing" in analysed.stderr  # a progress bar
    out = cli("users", "add", "casey", "--role", "viewer", data=data).stdout
    assert "One-time password" in out
    assert "casey" in cli("users", "list", data=data).stdout
    assert cli("users", "token", "casey", data=data).stdout.startswith("cs_")
    for command in ("init", "import", "analyze", "classify", "queue", "serve", "users",
                    "principals", "demo"):
        assert "Usage:" in cli(command, "--help", data=data).stdout


def test_commands_on_a_missing_store_say_what_to_do(tmp_path: Path) -> None:
    result = cli("queue", data=tmp_path / "nothing", check=False)
    assert result.returncode == 2
    assert "civicshield init" in result.stderr


def test_incident_commands_from_open_to_verified_packet(data: Path, tmp_path: Path) -> None:
    cli("import", str(SAMPLES / "generic.jsonl"), data=data)
    queued = [json.loads(line) for line in
              cli("queue", "--label", "threat", "--json", data=data).stdout.splitlines()]
    ids = [str(m["id"]) for m in queued]
    opened = cli("incidents", "open", *ids, "--title", "Threat on the budget post",
                 "--severity", "high", data=data).stdout
    incident = opened.split()[2].rstrip(":")
    assert opened.startswith(f"Opened incident {incident}: Threat on the budget post")
    shot = tmp_path / "shot.png"
    shot.write_bytes(b"\x89PNG screenshot")
    assert "Attached shot.png" in cli("incidents", "attach", incident, str(shot), data=data).stdout
    cli("incidents", "update", incident, "--status", "reported_to_police", "--police-report",
        "RPD-9", data=data)
    listed = cli("incidents", "list", data=data).stdout
    assert "reported_to_police" in listed and "Threat on the budget post" in listed
    assert cli("evidence", "verify", data=data).stdout.startswith("OK: ")
    packet = tmp_path / "packet.zip"
    cli("evidence", "export", incident, "--out", str(packet), data=data)
    folder = tmp_path / "unpacked"
    with zipfile.ZipFile(packet) as archive:
        archive.extractall(folder)
    assert cli("evidence", "verify", "--packet", str(folder), data=data).stdout.startswith("OK")
    (folder / "manifest.json").write_text("{}")
    broken = cli("evidence", "verify", "--packet", str(folder), data=data, check=False)
    assert broken.returncode == 1
    assert "  manifest.json was changed: its SHA-256 does not match SHA256SUMS" in broken.stderr
    letter = cli("evidence", "letter", incident, "--pdf", str(tmp_path / "letters"),
                 data=data).stdout
    assert "18 U.S.C. 2703(f)" in letter and "RPD-9" in letter and "did:plc:abc" in letter
    pdf = next((tmp_path / "letters").glob("*.pdf"))
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Preservation request under 18 U.S.C. 2703(f)" in text
    report = cli("evidence", "letter", incident, "--kind", "platform", data=data).stdout
    assert "We know where you live" in report and "Accounts reported" in report


#: What a command that opens the store but loads no model must not import (each costs start-up
#: time: SQLAlchemy's PostgreSQL dialect, migrations, the model's runtime, the web app).
NOT_AT_START = ("sqlalchemy.dialects.postgresql", "alembic", "onnxruntime", "tokenizers",
                "civicshield.detectors", "fastapi")


def test_a_command_on_an_sqlite_store_loads_only_what_it_uses(data: Path) -> None:
    probe = ("import sys\nfrom civicshield.cli import main\nsys.argv = ['civicshield', 'queue']\n"
             "try:\n    main()\nexcept SystemExit as done:\n    assert not done.code, done.code\n"
             f"print([m for m in {NOT_AT_START!r} if m in sys.modules])\n")
    env = {**os.environ, "CIVICSHIELD_DATA_DIR": str(data)}
    env.pop("CIVICSHIELD_DATABASE_URL", None)
    result = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "[]"

"""One hostile email in a mailbox: the import stops cleanly and stores nothing, unless the user
asked for --skip-bad; then it is named and set aside, and the genuine messages around it are
stored."""

from __future__ import annotations

from pathlib import Path

import pytest

from civicshield.app import CivicShield
from civicshield.domain.access import cli_actor
from civicshield.domain.errors import ImportFailure
from civicshield.domain.ports import QueueFilter
from tests.test_cli import cli


def mail(n: int, body: str = "A question about the library.") -> str:
    return (f"From resident{n}@example.org Tue Dec  1 10:00:00 2026\n"
            f"From: Resident {n} <resident{n}@example.org>\nTo: mayor@riverton.gov\n"
            f"Subject: note {n}\nDate: Tue, 01 Dec 2026 10:0{n}:00 +0000\n"
            f"Message-ID: <skip-{n}@example.org>\n\n{body}\n\n")


def hostile(n: int) -> str:
    nested = "".join(f'Content-Type: multipart/mixed; boundary="b{i}"\n\n--b{i}\n'
                     for i in range(40))
    return (f"From evil@example.org Tue Dec  1 10:00:00 2026\nFrom: evil@example.org\n"
            f"Subject: nested\nDate: Tue, 01 Dec 2026 10:0{n}:00 +0000\n"
            f"Message-ID: <evil-{n}@example.org>\nMIME-Version: 1.0\n{nested}\nx\n\n")


@pytest.fixture
def mailbox(tmp_path: Path) -> Path:
    path = tmp_path / "inbox.mbox"
    path.write_text(mail(1) + hostile(2) + mail(3), encoding="utf-8")
    return path


def test_without_skip_bad_nothing_is_stored(sqlite_service: CivicShield, mailbox: Path) -> None:
    with pytest.raises(ImportFailure, match="record 2: its MIME parts nest more than 32"):
        sqlite_service.triage.import_file(cli_actor(), mailbox)
    assert sqlite_service.triage.queue(QueueFilter(), limit=10)[1] == 0


def test_with_skip_bad_the_hostile_one_is_named_and_the_rest_stored(
        sqlite_service: CivicShield, mailbox: Path) -> None:
    result = sqlite_service.triage.import_file(cli_actor(), mailbox, skip_bad=True)
    assert result.added == 2
    assert result.bad == ("inbox.mbox, line 11, record 2: its MIME parts nest more than 32 "
                          "levels deep; not read",)


def test_the_command_line_names_what_it_set_aside(tmp_path: Path, mailbox: Path) -> None:
    data = tmp_path / "data"
    cli("init", data=data)
    cli("principals", "add", "mayor", "Elena Marsh", data=data)
    stopped = cli("import", str(mailbox), data=data, check=False)
    assert stopped.returncode == 1 and "Nothing from this file was stored" in stopped.stderr
    done = cli("import", str(mailbox), "--skip-bad", data=data)
    assert "2 added, 0 already stored, 1 malformed set aside" in done.stdout
    assert "set aside: inbox.mbox, line 11, record 2" in done.stderr

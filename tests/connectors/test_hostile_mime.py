"""A message with 1,000 nested MIME parts is refused in one line naming it, and the mailbox
import stops cleanly (it raised RecursionError and lost the import; issue 20, item 1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from civicshield.app import CivicShield
from civicshield.connectors.email.connector import MAX_MIME_DEPTH
from civicshield.domain.errors import ImportFailure
from civicshield.domain.models import User
from civicshield.domain.ports import QueueFilter

GOOD = (b"From: ann@example.org\nTo: mayor@example.gov\nSubject: hello\n"
        b"Date: Mon, 30 Nov 2026 10:00:00 +0000\nMessage-ID: <good-1@example.org>\n\nHi.\n")


def _nested(levels: int) -> bytes:
    head = (b"From: evil@example.org\nTo: mayor@example.gov\nSubject: nest\n"
            b"Date: Mon, 30 Nov 2026 11:00:00 +0000\nMessage-ID: <deep@example.org>\n")
    body = b"text\n"
    for n in range(levels, 0, -1):
        body = (f"Content-Type: multipart/mixed; boundary=\"b{n}\"\n\n--b{n}\n".encode()
                + body + f"\n--b{n}--\n".encode())
    return head + b"MIME-Version: 1.0\n" + body


@pytest.mark.parametrize("levels", [MAX_MIME_DEPTH + 5, 1000])
def test_a_deeply_nested_message_stops_the_import_cleanly(sqlite_service: CivicShield,
                                                          admin: User, tmp_path: Path,
                                                          levels: int) -> None:
    mbox = tmp_path / "inbox.mbox"
    mbox.write_bytes(b"From ann Mon Nov 30 10:00:00 2026\n" + GOOD + b"\n"
                     b"From evil Mon Nov 30 11:00:00 2026\n" + _nested(levels) + b"\n")
    with pytest.raises(ImportFailure) as caught:
        sqlite_service.triage.import_file(admin, mbox)
    assert caught.value.record == 2 and "MIME parts nest more than" in str(caught.value)
    assert sqlite_service.triage.queue(QueueFilter(state=None))[1] == 0


def test_ordinary_nesting_is_read(sqlite_service: CivicShield, admin: User,
                                  tmp_path: Path) -> None:
    eml = tmp_path / "ok.eml"
    eml.write_bytes(_nested(3))
    sqlite_service.triage.import_file(admin, eml)
    assert sqlite_service.triage.queue(QueueFilter(state=None))[1] == 1

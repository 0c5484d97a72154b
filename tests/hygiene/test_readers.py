"""Every supported export format is told from the file and read into the same logins; a wrong,
truncated or hostile file gets one plain line naming what was expected and what was found."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from civicshield.connectors.vaults.readers import detect, read_export
from civicshield.domain.errors import InvalidInputError
from civicshield.domain.sites import registrable
from tests.hygiene.conftest import KDBX_PASSWORD, LOGINS, VAULTS


def test_every_sample_is_told_and_read_the_same(every_sample: dict[str, tuple[Path, str]]
                                                ) -> None:
    for name, (path, fmt) in every_sample.items():
        assert detect(path) == fmt, name
        found, entries = read_export(path, password=KDBX_PASSWORD)
        assert found == fmt
        logins = {(registrable(e.url), e.username, e.password) for e in entries}
        assert logins == LOGINS, name  # notes and other non-login items are skipped


def test_entries_never_show_their_password_in_repr() -> None:
    _, entries = read_export(VAULTS / "bitwarden.json")
    assert "Marsh2024!" not in repr(entries) and "<hidden>" in repr(entries[0])


def test_totp_passkeys_and_dates_are_read(tmp_path: Path) -> None:
    data = json.loads((VAULTS / "bitwarden.json").read_text())
    data["items"][0]["login"]["totp"] = "otpauth://totp/Portal?secret=JBSWY3DPEHPK3PXP"
    data["items"][1]["login"]["fido2Credentials"] = [{"credentialId": "abc"}]
    data["items"][2]["login"]["passwordRevisionDate"] = "2019-03-01T00:00:00.000Z"
    path = tmp_path / "vault.json"
    path.write_text(json.dumps(data))
    _, entries = read_export(path)
    assert entries[0].has_totp and entries[1].has_passkey
    assert entries[2].modified is not None and entries[2].modified.year == 2019
    assert entries[0].folder == "Office"


def bad(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


@pytest.mark.parametrize(("name", "content", "said"), [
    ("vault.json", b'{"encrypted": true, "passwordProtected": true, "salt": "x", "data": "2.x"}',
     "this Bitwarden export is encrypted; export it again"),
    ("vault.json", b'{"encrypted": false, "items": [{"type": 1, "login": {"pass',
     "expected a Bitwarden JSON export, found text that is not complete JSON"),
    ("vault.json", b'{"items": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
     "found JSON nested too deep"),
    ("vault.json", b'{"encrypted": false, "items": "many"}', "field 'items' is not a list"),
    ("vault.csv", b"Name,Address\nAlice,1 Main St\n", "the columns are Name, Address"),
    ("vault.csv", b"name,url,username,password\n\xff\xfe\x00broken\n",
     "expected a CSV export in UTF-8"),
    ("vault.csv", b"name,url,username,password\nA,https://a.org,u,p,extra,more\n",
     "line 2: more fields than the Chrome or Edge CSV header names"),
    ("vault.xml", b'<?xml version="1.0"?><!DOCTYPE k [<!ENTITY a "aaaaaaaaaa"><!ENTITY b '
                  b'"&a;&a;&a;&a;&a;&a;&a;&a;">]><KeePassFile>&b;</KeePassFile>',
     "found XML with entities or a DTD, which is refused"),
    ("vault.xml", b'<?xml version="1.0"?><!DOCTYPE k SYSTEM "file:///etc/passwd"><KeePassFile/>',
     "found XML with entities or a DTD, which is refused"),
    ("vault.xml", b"<KeePassFile><Root><Group>", "not well formed"),
    ("vault.xml", b"<html><body>hello</body></html>", "found <html>"),
    ("vault.1pux", b"PK\x03\x04" + b"\x00" * 40, "found a damaged or truncated file"),
    ("vault.txt", b"Dear Mayor Marsh\nThank you\n", "cannot tell which password manager"),
])
def test_bad_files_get_one_plain_line(tmp_path: Path, name: str, content: bytes,
                                      said: str) -> None:
    with pytest.raises(InvalidInputError) as refused:
        read_export(bad(tmp_path, name, content))
    message = str(refused.value)
    assert said in message and "\n" not in message
    assert message.startswith(name)


def test_a_zip_without_export_data(tmp_path: Path) -> None:
    path = tmp_path / "photos.1pux"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("photo.jpg", b"\xff\xd8")
    with pytest.raises(InvalidInputError, match=r"a ZIP without export\.data"):
        read_export(path)


def test_a_keepass_database_needs_its_password(every_sample: dict[str, tuple[Path, str]]
                                               ) -> None:
    path, _ = every_sample["mayor.kdbx"]
    with pytest.raises(InvalidInputError, match="give its password"):
        read_export(path)
    with pytest.raises(InvalidInputError, match="password is not right"):
        read_export(path, password="wrong")
    truncated = path.with_name("cut.kdbx")
    truncated.write_bytes(path.read_bytes()[:300])
    with pytest.raises(InvalidInputError, match="damaged or truncated"):
        read_export(truncated, password=KDBX_PASSWORD)

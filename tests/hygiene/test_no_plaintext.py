"""No plaintext, ever: audit an export of planted unique passwords (with the breach check, the
reports and the logs), then search everything civicshield wrote (the store, its WAL, the data
folder, the reports, the log, the temporary folder) for each password and for its SHA-1,
SHA-256 and NTLM hashes. None may be found."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import secrets
import struct
import subprocess
import tempfile
from pathlib import Path

from civicshield.app import CivicShield
from civicshield.domain.access import cli_actor


def _md4(data: bytes) -> bytes:
    """MD4 (RFC 1320), for the NTLM hash; OpenSSL 3 no longer offers it."""
    def rotate(x: int, n: int) -> int:
        return ((x << n) | (x >> (32 - n))) & 0xFFFFFFFF

    message = data + b"\x80" + b"\x00" * ((55 - len(data)) % 64) + struct.pack("<Q",
                                                                               len(data) * 8)
    a, b, c, d = 0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476
    for start in range(0, len(message), 64):
        x = list(struct.unpack("<16I", message[start:start + 64]))
        aa, bb, cc, dd = a, b, c, d
        for i in (0, 4, 8, 12):
            for k, s in zip(range(4), (3, 7, 11, 19), strict=True):
                f = (b & c) | (~b & d)
                a, b, c, d = d, rotate((a + f + x[i + k]) & 0xFFFFFFFF, s), b, c
        for i in range(4):
            for k, s in zip(range(4), (3, 5, 9, 13), strict=True):
                g = (b & c) | (b & d) | (c & d)
                a, b, c, d = d, rotate((a + g + x[i + 4 * k] + 0x5A827999) & 0xFFFFFFFF, s), b, c
        for i in (0, 2, 1, 3):
            for k, s in zip((0, 8, 4, 12), (3, 9, 11, 15), strict=True):
                h = b ^ c ^ d
                a, b, c, d = d, rotate((a + h + x[i + k] + 0x6ED9EBA1) & 0xFFFFFFFF, s), b, c
        a, b, c, d = [(v + w) & 0xFFFFFFFF for v, w in zip((a, b, c, d), (aa, bb, cc, dd),
                                                             strict=True)]
    return struct.pack("<4I", a, b, c, d)


def test_md4_matches_the_rfc() -> None:
    assert _md4(b"").hex() == "31d6cfe0d16ae931b73c59d7e0c089c0"
    assert _md4(b"abc").hex() == "a448017aaf21d8525fc10ae87aa6729d"
    assert _md4(b"message digest").hex() == "d9130a8164549fe818874806e1c7014b"


def forms(password: str) -> list[bytes]:
    """The password and the hashes a leak would hold, as text in any case and as bytes."""
    raw = password.encode()
    digests = [hashlib.sha1(raw, usedforsecurity=False).digest(), hashlib.sha256(raw).digest(),
               _md4(password.encode("utf-16-le"))]
    found = [raw, password.encode("utf-16-le")]
    for digest in digests:
        found += [digest, digest.hex().encode(), digest.hex().upper().encode()]
    return found


def test_no_password_or_hash_of_one_is_written_anywhere(service: CivicShield,
                                                        tmp_path: Path) -> None:
    planted = [f"Planted-{secrets.token_hex(8)}-{n}" for n in range(12)]
    planted.append(planted[0])  # one reused, so a fingerprint is kept for it
    export = tmp_path / "upload" / "vault.json"
    export.parent.mkdir()
    export.write_text(json.dumps({"encrypted": False, "folders": [], "items": [
        {"id": str(n), "type": 1, "name": f"Site {n}", "login": {
            "uris": [{"uri": f"https://www.site{n}.org/login"}],
            "username": f"user{n}", "password": password, "totp": None}}
        for n, password in enumerate(planted)]}), encoding="utf-8")
    log_file = tmp_path / "civicshield.log"
    handler = logging.FileHandler(log_file)
    root = logging.getLogger()
    root.addHandler(handler)
    old_level = root.level
    root.setLevel(logging.DEBUG)
    temp_before = set(os.listdir(tempfile.gettempdir()))
    offline = tmp_path / "pwned.txt"
    offline.write_text(f"{'0' * 40}:1\n", encoding="ascii")
    try:
        view = service.hygiene.audit(cli_actor(), export, "Elena Marsh", delete_file=True,
                                     breach_check="offline", breach_file=offline)
        reports = tmp_path / "reports"
        reports.mkdir()
        (reports / "audit.pdf").write_bytes(service.hygiene.pdf_report(cli_actor(),
                                                                        view.record.id))
        (reports / "audit.csv").write_text(service.hygiene.csv_report(cli_actor(),
                                                                       view.record.id))
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
        handler.close()
    assert not export.exists()  # the upload is gone
    assert view.reuse_groups  # the audit did see the reuse
    written = [p for p in service.settings.data_dir.rglob("*") if p.is_file()]
    written += [*reports.iterdir(), log_file]
    new_temp = set(os.listdir(tempfile.gettempdir())) - temp_before
    written += [p for name in new_temp for p in [Path(tempfile.gettempdir()) / name]
                if p.is_file()]
    blobs = {str(p): p.read_bytes() for p in written}
    url = service.settings.resolved_database_url
    if url.startswith("postgresql"):
        blobs["pg_dump"] = _pg_dump(url)
    else:
        store = Path(url.split("///", 1)[1])
        for path in store.parent.glob(store.name + "*"):  # the store, its WAL and shared memory
            blobs[str(path)] = path.read_bytes()
    assert any(name.endswith(".db") for name in blobs) or "pg_dump" in blobs
    for password in planted:
        for form in forms(password):
            holders = [name for name, blob in blobs.items() if form in blob]
            assert holders == [], f"{form[:12]!r}... found in {holders}"


def _pg_dump(url: str) -> bytes:
    from tests.pg_server import find_bin

    bindir = find_bin()
    assert bindir is not None
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    return subprocess.run([str(bindir / "pg_dump"), "--data-only", plain], check=True,
                          capture_output=True, timeout=120).stdout

"""Write the corpus of hostile files the suite refuses: deep JSON and HTML, nested MIME, huge
numbers, wrong encodings, compression bombs and entity bombs, one per parser.

    python scripts/hostile_corpus.py FOLDER

Nothing here is committed as a large file: tests/test_hostile_corpus.py runs this into a
temporary folder and reads each file in a process of its own with a memory and a time cap.
Each line of FOLDER/manifest.txt is ``reader file``: the reader (an import format, ``vault`` or
``scan``) and the file's name.
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path

MB = 2**20


def _zip(path: Path, members: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def _bomb(size: int) -> bytes:
    return b" " * size


def write(folder: Path) -> list[tuple[str, str]]:
    """Write every hostile file; returns (reader, file name) pairs."""
    folder.mkdir(parents=True, exist_ok=True)
    made: list[tuple[str, str]] = []

    def add(reader: str, name: str, data: bytes) -> None:
        (folder / name).write_bytes(data)
        made.append((reader, name))

    add("bluesky", "deep-bluesky.json",
        b'{"notifications": [{"uri": "at://x", "record": ' + b"[" * 200_000 + b"]" * 200_000
        + b"}]}")
    add("mastodon-notifications", "deep-mastodon.json",
        b'[{"type": "mention", "account": ' + b'{"a":' * 100_000 + b"1" + b"}" * 100_000 + b"}]")
    add("jsonl", "deep.jsonl", b'{"id": "1", "text": ' + b"[" * 100_000 + b"]" * 100_000 + b"}\n")
    add("jsonl", "bignum.jsonl", b'{"id": ' + b"9" * 5000 + b', "text": "x"}\n')
    nested = "".join(f'Content-Type: multipart/mixed; boundary="b{i}"\n\n--b{i}\n'
                     for i in range(1000))
    add("mbox", "nested-mime.mbox", ("From x@example.org Tue Dec  1 10:00:00 2026\n"
                                     "From: x@example.org\nDate: Tue, 01 Dec 2026 10:00:00 +0000\n"
                                     f"MIME-Version: 1.0\n{nested}\nbody\n").encode())
    html = "<div>" * 20_000 + "hello" + "</div>" * 20_000
    add("eml", "deep-html.eml", ("From: x@example.org\nDate: Tue, 01 Dec 2026 10:00:00 +0000\n"
                                 "MIME-Version: 1.0\nContent-Type: text/html\n\n" + html
                                 ).encode())
    add("csv", "not-utf8.csv", b"id,platform,created_at,author_id,text\n" + b"\xff\xfe" * 5000)
    add("csv", "long-field.csv", b"id,platform,created_at,author_id,text\n1,webform,"
        b"2026-12-01T10:00:00Z,a@example.org," + b"x" * (8 * MB) + b"\n")
    noise = b"".join(f"{n:08x}".encode() for n in range(0, 2 * MB, 7919))  # does not compress
    _zip(folder / "x-no-assignment.zip", {"data/account.js": b'[{"account": "' + noise + b'"}]'})
    made.append(("x-archive", "x-no-assignment.zip"))
    _zip(folder / "x-bomb.zip", {"data/account.js": b'window.YTD.account.part0 = [{"account":'
                                 b'{"accountId": "1", "username": "u"}}]',
                                 "data/tweets.js": _bomb(300 * MB)})
    made.append(("x-archive", "x-bomb.zip"))
    _zip(folder / "bomb.docx", {"[Content_Types].xml": b"<Types/>",
                                "word/document.xml": _bomb(300 * MB)})
    made.append(("scan", "bomb.docx"))
    _zip(folder / "bomb.xlsx", {"[Content_Types].xml": b"<Types/>",
                                "xl/worksheets/sheet1.xml": _bomb(300 * MB)})
    made.append(("scan", "bomb.xlsx"))
    laughs = b'<?xml version="1.0"?><!DOCTYPE k [<!ENTITY a "aaaaaaaaaa">' + b"".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'.encode()
        for i in range(9)) + b"]><KeePassFile>&j;</KeePassFile>"
    add("vault", "laughs-keepass.xml", laughs)
    add("vault", "deep-bitwarden.json", b'{"items": ' + b"[" * 200_000 + b"]" * 200_000 + b"}")
    _zip(folder / "bomb.1pux", {"export.data": _bomb(300 * MB)})
    made.append(("vault", "bomb.1pux"))
    add("scan", "deep.html", ("<div>" * 50_000 + "4127 Larkspur Ln" + "</div>" * 50_000).encode())
    (folder / "manifest.txt").write_text("".join(f"{r} {n}\n" for r, n in made),
                                         encoding="utf-8")
    return made


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    for reader, name in write(Path(sys.argv[1])):
        print(reader, name)

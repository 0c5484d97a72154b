"""Files sent through the dashboard and held until a person has mapped their columns.

They are exports full of the office's mail, so they are held encrypted (in 4 MiB pieces, each
bound to the upload and its place) in the data folder, decrypted only to a temporary file for
the moment of the import, and removed when imported, dropped, or a day old.
"""

from __future__ import annotations

import json
import secrets
import shutil
import struct
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import BinaryIO

from civicshield.crypto import Cipher
from civicshield.domain.errors import InvalidInputError, NotFoundError

PIECE = 4 << 20
#: The largest file the dashboard takes (the command line takes any size).
MAX_UPLOAD_BYTES = 1 << 30
#: Held files older than this are removed.
KEEP_SECONDS = 24 * 3600


@dataclass(frozen=True)
class HeldUpload:
    """A file waiting for its import: the name it was sent with and its size."""

    token: str
    name: str
    size: int
    actor: str


class UploadHold:
    """The encrypted holding area under ``<data dir>/uploads/held``."""

    def __init__(self, root: Path, cipher: Cipher) -> None:
        self.root = root / "uploads" / "held"
        self.cipher = cipher

    def _folder(self, token: str) -> Path:
        if not token.isalnum() or len(token) > 64:
            raise NotFoundError("no such upload")
        return self.root / token

    def put(self, name: str, stream: BinaryIO, actor: str) -> HeldUpload:
        """Hold one uploaded file; refuses one over MAX_UPLOAD_BYTES (nothing is kept)."""
        self.expire()
        token = secrets.token_hex(12)
        folder = self._folder(token)
        folder.mkdir(mode=0o700, parents=True)
        clean = PurePath(name.replace("\\", "/")).name or "upload"
        size, index = 0, 0
        try:
            with (folder / "data").open("wb") as out:
                for piece in iter(lambda: stream.read(PIECE), b""):
                    size += len(piece)
                    if size > MAX_UPLOAD_BYTES:
                        raise InvalidInputError(
                            f"{clean}: larger than {MAX_UPLOAD_BYTES >> 20} MB; import it with "
                            "the command line (civicshield import)")
                    blob = self.cipher.encrypt(piece, context=f"{token}:{index}".encode())
                    out.write(struct.pack(">I", len(blob)) + blob)
                    index += 1
            (folder / "meta.json").write_text(json.dumps(
                {"name": clean, "size": size, "actor": actor, "pieces": index}),
                encoding="utf-8")
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        return HeldUpload(token, clean, size, actor)

    def get(self, token: str) -> HeldUpload:
        """A held file's description."""
        try:
            meta = json.loads((self._folder(token) / "meta.json").read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise NotFoundError("that upload is no longer held; send the file again") from exc
        return HeldUpload(token, meta["name"], meta["size"], meta["actor"])

    @contextmanager
    def opened(self, token: str) -> Iterator[Path]:
        """The held file decrypted to a temporary file (named as it was sent), removed after."""
        held = self.get(token)
        work = self._folder(token) / "open"
        work.mkdir(mode=0o700, exist_ok=True)
        path = work / held.name
        try:
            with (self._folder(token) / "data").open("rb") as source, path.open("wb") as out:
                index = 0
                while header := source.read(4):
                    blob = source.read(struct.unpack(">I", header)[0])
                    out.write(self.cipher.decrypt(blob, context=f"{token}:{index}".encode()))
                    index += 1
            yield path
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def drop(self, token: str) -> None:
        """Remove a held file."""
        shutil.rmtree(self._folder(token), ignore_errors=True)

    def expire(self, now: float | None = None) -> None:
        """Remove held files older than KEEP_SECONDS."""
        if not self.root.exists():
            return
        limit = (time.time() if now is None else now) - KEEP_SECONDS
        for folder in self.root.iterdir():
            if folder.is_dir() and folder.stat().st_mtime < limit:
                shutil.rmtree(folder, ignore_errors=True)

"""Small builders for tests: drafts, importer runs, and archive ZIPs from sample folders."""

from __future__ import annotations

import hashlib
import zipfile
from datetime import UTC, datetime
from pathlib import Path

from civicshield.app import build_registry
from civicshield.config import load_settings
from civicshield.domain.models import MessageDraft, SenderRef
from civicshield.domain.ports import Importer, ImportSource

_REGISTRY, IMPORTERS = build_registry(load_settings({"CIVICSHIELD_DATA_DIR": "/nonexistent"}))


def draft(text: str, *, external_id: str = "m1", sender: str = "s1", platform: str = "bluesky",
          day: int = 1, private: bool = False) -> MessageDraft:
    """A draft message with sensible defaults."""
    return MessageDraft(platform=platform, external_id=external_id,
                        sender=SenderRef(platform, sender, handle=f"@{sender}"), text=text,
                        created_at=datetime(2026, 10, day, 12, 0, tzinfo=UTC),
                        raw=text.encode("utf-8"), private=private)


def read_all(fmt: str, path: Path, account: str = "") -> list[MessageDraft]:
    """Every draft an importer reads from a file."""
    importer: Importer = IMPORTERS[fmt]
    return list(importer.read(ImportSource(path=path, name=path.name, account=account)))


def zip_folder(folder: Path, target: Path) -> Path:
    """Zip a sample folder (such as an X archive laid out as files) into ``target``."""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())
    return target


def sha256(data: bytes) -> str:
    """Hex SHA-256."""
    return hashlib.sha256(data).hexdigest()

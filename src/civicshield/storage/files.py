"""The data folder is for its owner only: the folder 0700, every file in it 0600.

The folder holds the SQLite store (and its WAL and shared-memory files), the encryption key, the
evidence signing key and uploads: readable by another account on the machine, they would give
away the protected person's data. ``protect`` is called whenever a workspace is opened; it
tightens what is looser and says what it changed.
"""

from __future__ import annotations

import stat
from pathlib import Path

FOLDER_MODE = 0o700
FILE_MODE = 0o600


def protect(folder: Path) -> list[str]:
    """Create ``folder`` for its owner only, or tighten it and everything in it that is open to
    others; returns one line for each thing it tightened."""
    folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    changed: list[str] = []
    for path in [folder, *sorted(folder.rglob("*"))]:
        try:
            info = path.lstat()
        except FileNotFoundError:  # a WAL file checkpointed away meanwhile
            continue
        if stat.S_ISLNK(info.st_mode):
            continue
        wanted = FOLDER_MODE if stat.S_ISDIR(info.st_mode) else FILE_MODE
        if stat.S_IMODE(info.st_mode) & 0o077:
            path.chmod(stat.S_IMODE(info.st_mode) & wanted)
            changed.append(f"{path}: was readable by others ({stat.S_IMODE(info.st_mode):o}), "
                           f"now {stat.S_IMODE(info.st_mode) & wanted:o}")
    return changed

"""Read one hostile file as civicshield would, in a process of its own under a memory cap:
prints ``refused: LINE`` (a plain refusal) or ``read: N`` and exits 0; anything else (a
traceback, running out of memory) exits non-zero.

    python -m tests.hostile_runner READER FILE MEMORY_MB
"""

from __future__ import annotations

import resource
import sys
from pathlib import Path


def main() -> int:
    reader, name, memory_mb = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    cap = memory_mb * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    from civicshield.app import build_registry
    from civicshield.config import load_settings
    from civicshield.domain.errors import CivicShieldError
    from civicshield.domain.ports import ImportSource

    try:
        if reader == "vault":
            from civicshield.connectors.vaults.readers import read_export

            count = len(read_export(name)[1])
        elif reader == "scan":
            from civicshield.exposure.extract import ExtractError, extract

            try:
                count = len(extract(name.name, name.read_bytes()).pieces)
            except ExtractError as exc:
                print(f"refused: {exc}")
                return 0
        else:
            _, importers = build_registry(load_settings({"CIVICSHIELD_DATA_DIR": "/nonexistent"}))
            source = ImportSource(path=name, name=name.name)
            count = sum(1 for _ in importers[reader].read(source))
    except CivicShieldError as exc:
        message = str(exc)
        if "\n" in message.strip():
            print(f"not one line: {message!r}")
            return 2
        print(f"refused: {message}")
        return 0
    print(f"read: {count}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

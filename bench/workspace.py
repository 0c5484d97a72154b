"""What the benchmarks share: a fresh workspace and a file of N synthetic messages."""

from __future__ import annotations

from pathlib import Path

from civicshield.app import CivicShield
from civicshield.config import load_settings
from civicshield.demo.generate import PROFILE, records_to_jsonl, synthetic_records
from civicshield.domain.access import cli_actor
from civicshield.domain.profile import ProtectedProfile


def fresh_workspace(folder: Path, count: int, settings: dict[str, str]) -> tuple[CivicShield, Path]:
    """A new store in ``folder`` with the demo principal, and a JSONL file of ``count`` messages."""
    source = folder / "messages.jsonl"
    with source.open("w", encoding="utf-8") as out:
        out.writelines(records_to_jsonl(synthetic_records(count)))
    service, _ = CivicShield.initialise(
        load_settings({"CIVICSHIELD_DATA_DIR": str(folder / "data"), **settings}))
    service.principals.add(cli_actor(), "mayor", "Elena Marsh", "",
                          ProtectedProfile.from_dict(PROFILE))
    return service, source

"""The blind evaluation set is frozen: any edit to it changes its SHA-256 and fails here (a new
version is a new file). It is read for evaluation only, never for training or thresholds."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

BLIND = Path(__file__).parents[2] / "evaluation" / "blind"
FROZEN = {"blind-v1.jsonl": "ad23d029b7338ea9acd2d290a8bd9e31f6807cc58180825e377ad75a5c428673",
          "profile-v1.json": "1aaa80137cbf56222d787b99c755647f9c724e495c02095e2e9ed5ce4d904979"}


def test_the_blind_set_is_unchanged() -> None:
    for name, digest in FROZEN.items():
        assert hashlib.sha256((BLIND / name).read_bytes()).hexdigest() == digest, name


def test_the_blind_set_covers_every_family_with_enough_cases() -> None:
    cases = [json.loads(line) for line in (BLIND / "blind-v1.jsonl").read_text().splitlines()]
    assert len(cases) >= 400 and len({c["id"] for c in cases}) == len(cases)
    threats = [c for c in cases if c["kind"] == "threat"]
    families = {c["family"] for c in threats}
    assert len(families) == 14 and all(
        sum(c["family"] == f for c in threats) >= 12 for f in families)
    assert sum(c["kind"] == "lawful" for c in cases) >= len(threats) * 0.75
    assert {c["lang"] for c in cases} == {"en", "es"}

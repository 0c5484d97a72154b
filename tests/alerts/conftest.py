"""A workspace with a clock the test moves, and messages imported through the real pipeline."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from civicshield.app import CivicShield
from civicshield.domain.access import cli_actor
from tests.conftest import PROFILE, make_settings

START = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


class Clock:
    """Now, moved by the test."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def workspace(tmp_path: Path, clock: Clock) -> Callable[..., CivicShield]:
    """Build a workspace (settings may be added) whose services all read ``clock``."""
    def make(**extra: str) -> CivicShield:
        settings = make_settings(tmp_path / "data", time_zone="America/Los_Angeles",
                                 alert_contacts="security@riverton.test", **extra)
        service, _ = CivicShield.initialise(settings)
        service.principals.add(cli_actor(), "mayor", "Elena Marsh", "Mayor of Riverton", PROFILE)
        return CivicShield.build(replace(service.context, clock=clock))
    return make


def deliver(service: CivicShield, tmp_path: Path, rows: list[tuple[str, str]], *,
            name: str = "batch") -> int:
    """Import (sender, text) rows as Bluesky replies created now, and fire the rules on them,
    as live intake does; returns how many messages joined an alert."""
    now = service.context.clock()
    path = tmp_path / f"{name}.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for number, (sender, text) in enumerate(rows):
            out.write(json.dumps({
                "id": f"{name}-{number}", "platform": "bluesky", "kind": "reply",
                "created_at": (now + timedelta(seconds=number)).isoformat(),
                "author": {"id": f"did:plc:{sender}", "handle": f"@{sender}.bsky.social"},
                "text": text}) + "\n")
    service.triage.import_file(cli_actor(), path)
    return service.alerts.fire_since(cli_actor(), now - timedelta(seconds=1))

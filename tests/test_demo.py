"""The bundled demo workspace: rebuilt exactly by its script, loads, and triages sensibly."""

from __future__ import annotations

from pathlib import Path

from civicshield.app import CivicShield
from civicshield.demo import DATA, load_demo
from civicshield.demo.generate import write_demo
from civicshield.domain.models import RiskLevel
from civicshield.domain.ports import QueueFilter
from tests.conftest import make_settings


def test_committed_demo_files_are_what_the_generator_writes(tmp_path: Path) -> None:
    write_demo(tmp_path)
    for path in sorted(DATA.iterdir()):
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name


def test_demo_loads_once_and_puts_threats_and_doxxing_first(tmp_path: Path) -> None:
    service, _ = CivicShield.initialise(make_settings(tmp_path / "data"))
    summary = load_demo(service)
    assert "Elena Marsh" in summary
    items, total = service.queue(QueueFilter(), limit=15)
    assert 1900 <= total <= 2100
    assert all({"threat", "doxxing"} & set(m.flags) for m in items)
    assert {m.platform for m in items} >= {"x", "email", "mastodon"}
    again = load_demo(service)
    assert " 0 added" in again and service.queue(QueueFilter())[1] == total
    flagged = service.queue(QueueFilter(flagged_only=True))[1]
    assert 0.1 * total < flagged < 0.4 * total  # mostly ordinary and lawful messages
    lawful = service.queue(QueueFilter(flagged_only=False), limit=3000)[0]
    kill_the_bill = [m for m in lawful if "Kill the bill" in m.text]
    assert kill_the_bill and not any("threat" in m.flags for m in kill_the_bill)
    critical = {m.sender.label for m in items if m.sender.risk_level is RiskLevel.CRITICAL}
    assert critical

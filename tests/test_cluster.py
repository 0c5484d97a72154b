"""Re-analysis spread over a real Dask LocalCluster (two worker processes): the findings are
exactly the in-process run's, even when a worker is killed mid-run, and nothing is written
twice."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from civicshield.app import CivicShield
from civicshield.demo import DATA
from civicshield.domain.access import cli_actor
from civicshield.storage import tables
from tests.conftest import PROFILE, make_settings

FILES = ("contact-form.csv", "mastodon-notifications.json")


def workspace(folder: Path) -> CivicShield:
    service, _ = CivicShield.initialise(make_settings(folder))
    service.principals.add(cli_actor(), "mayor", "Elena Marsh", "Mayor of Riverton", PROFILE)
    for name in FILES:
        service.triage.import_file(cli_actor(), DATA / name)
    return service


def findings_of(service: CivicShield) -> list[tuple[Any, ...]]:
    """Every finding and message verdict, by platform id (the stores' own ids may differ)."""
    with service.context.engine.connect() as conn:
        found = conn.execute(
            select(tables.messages.c.platform, tables.messages.c.external_id,
                   tables.findings.c.detector, tables.findings.c.version,
                   tables.findings.c.label, tables.findings.c.score,
                   tables.findings.c.span_start, tables.findings.c.span_end,
                   tables.findings.c.why, tables.findings.c.flagged, tables.findings.c.cue)
            .join(tables.messages, tables.messages.c.id == tables.findings.c.message_id)).all()
        verdicts = conn.execute(select(tables.messages.c.platform, tables.messages.c.external_id,
                                       tables.messages.c.flags, tables.messages.c.priority,
                                       tables.messages.c.analysis_signature)).all()
    return sorted(tuple(r) for r in found) + sorted(tuple(r) for r in verdicts)


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                      dashboard_address=None, silence_logs=40) as local:
        yield local


def test_the_cluster_finds_exactly_what_this_process_finds_even_losing_a_worker(
        tmp_path: Path, cluster: Any) -> None:
    from distributed import Client

    here, there = workspace(tmp_path / "here"), workspace(tmp_path / "there")
    expected = here.triage.analyse(cli_actor(), redo_all=True, batch_size=25)
    assert expected == 461

    with Client(cluster.scheduler_address, set_as_default=False) as client:
        pids = list(client.run(os.getpid).values())
    seen: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> None:
        seen.append((done, total))
        if len(seen) == 3:  # a worker dies while batches are out
            os.kill(pids[0], signal.SIGKILL)

    done = there.triage.analyse(cli_actor(), redo_all=True, batch_size=25,
                                cluster=cluster.scheduler_address, progress=progress)
    assert done == expected
    with Client(cluster.scheduler_address, set_as_default=False) as client:
        assert pids[0] not in client.run(os.getpid).values()  # it was killed and replaced
    assert seen[-1] == (expected, expected)
    assert [d for d, _ in seen] == sorted({d for d, _ in seen})  # each batch written once
    assert findings_of(there) == findings_of(here)
    audit = [e for e in there.accounts.audit_entries(cli_actor())
             if e.action == "analysis.completed"]
    assert '"where": "cluster"' in audit[0].details


def test_an_unreachable_scheduler_is_one_plain_line(tmp_path: Path) -> None:
    from civicshield.domain.errors import ConfigError
    from tests.pg_server import free_port

    service = workspace(tmp_path / "ws")
    with pytest.raises(ConfigError, match="cannot reach the Dask scheduler"):
        service.triage.analyse(cli_actor(), redo_all=True,
                               cluster=f"tcp://127.0.0.1:{free_port()}")

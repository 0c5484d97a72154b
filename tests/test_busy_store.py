"""A store that stays usable while it works: during a long import, logins, reviews and incident
views keep succeeding (their speed is measured in bench/concurrency.py); the import's messages
stay hidden until it is published; a second import waits its turn with a message; what a
stopped import left is removed by the next one."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from civicshield.app import CivicShield
from civicshield.demo.generate import records_to_jsonl, synthetic_records
from civicshield.domain.access import cli_actor
from civicshield.domain.models import ReviewState, Role
from civicshield.domain.ports import QueueFilter
from tests.conftest import PROFILE, SAMPLES, make_settings

FAST = "minilm-heads"  # the trained model off: the import is about the store, not detection


def workspace(tmp_path: Path, database_url: str = "") -> CivicShield:
    service, _ = CivicShield.initialise(make_settings(tmp_path / "data", database_url,
                                                      disabled_detectors=FAST))
    service.principals.add(cli_actor(), "mayor", "Elena Marsh", "Mayor", PROFILE)
    return service


def messages_file(path: Path, count: int) -> Path:
    with path.open("w", encoding="utf-8") as out:
        out.writelines(records_to_jsonl(synthetic_records(count)))
    return path


def test_the_store_stays_usable_during_a_long_import(tmp_path: Path, database_url: str) -> None:
    service = workspace(tmp_path, database_url)
    admin = cli_actor()
    service.accounts.add_user(admin, "staff", Role.ANALYST, "correct horse battery")
    service.triage.import_file(admin, SAMPLES / "generic.jsonl")
    first = service.triage.queue(QueueFilter(), limit=5)[0]
    incident = service.incidents.open(admin, "Earlier threats", [first[0].id])
    before = service.triage.queue(QueueFilter())[1]
    big = messages_file(tmp_path / "big.jsonl", 12_000)
    done: list[object] = []
    worker = threading.Thread(target=lambda: done.append(service.triage.import_file(admin, big)))
    worker.start()
    operations = failures = 0
    problems: list[str] = []
    hidden_seen = False
    while worker.is_alive() or operations < 50:
        try:
            assert service.accounts.authenticate("staff", "correct horse battery", "127.0.0.1")
            service.triage.set_state(admin, [first[0].id], ReviewState.REVIEWED)
            service.incidents.view(admin, incident.id)
            if worker.is_alive():
                hidden_seen |= service.triage.queue(QueueFilter())[1] == before
        except Exception as exc:  # counted: none may fail
            failures += 1
            problems.append(f"{type(exc).__name__}: {str(exc)[:160]}")
        operations += 1
        if operations >= 400:
            break
    worker.join()
    assert failures == 0 and operations >= 50, problems
    assert hidden_seen  # the import's messages stayed hidden while it ran
    assert done and service.triage.queue(QueueFilter())[1] == before + done[0].added  # type: ignore[attr-defined]


def test_a_second_import_waits_its_turn(tmp_path: Path) -> None:
    service = workspace(tmp_path)
    admin = cli_actor()
    big = messages_file(tmp_path / "big.jsonl", 3_000)
    waited: list[str] = []
    results: list[object] = []
    first = threading.Thread(target=lambda: results.append(service.triage.import_file(admin, big)))
    first.start()
    time.sleep(0.5)
    second = service.triage.import_file(admin, SAMPLES / "generic.jsonl",
                                        on_wait=lambda: waited.append("waiting"))
    first.join()
    assert waited == ["waiting"] and second.added > 0 and results


def test_what_a_stopped_import_left_is_removed_by_the_next(tmp_path: Path) -> None:
    from civicshield.domain import pipeline
    from civicshield.domain.models import ChannelKind
    from tests.factories import draft

    service = workspace(tmp_path)
    admin = cli_actor()
    before = service.triage.queue(QueueFilter())[1]
    with service.context.transaction(write=True) as repo:  # an import killed half way
        channel = repo.ensure_channel(1, "bluesky", "x", ChannelKind.OFFICIAL)
        record = repo.start_import(1, channel.id, "jsonl", "killed.jsonl", "0" * 64, "x",
                                   staged=True)
        ctx = pipeline.PipelineContext(repo=repo, registry=service.context.registry,
                                       record=record)
        pipeline.run(pipeline.Batch(drafts=(draft("left behind", external_id="ghost"),)), ctx)
    assert service.triage.queue(QueueFilter())[1] == before  # hidden
    service.triage.import_file(admin, SAMPLES / "generic.jsonl")
    with service.context.transaction() as repo:
        assert repo.stale_imports() == []
        assert ("bluesky", "ghost") not in repo.latest_versions(1, [("bluesky", "ghost")])

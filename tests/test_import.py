"""Imports through the pipeline: idempotent, transactional, and stored faithfully (both stores)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from civicshield.app import CivicShield
from civicshield.domain.errors import ImportFailure, InvalidInputError
from civicshield.domain.models import RISK_RANK_BONUS, ReviewState, User
from civicshield.domain.ports import QueueFilter
from civicshield.storage import tables
from tests.conftest import SAMPLES
from tests.factories import sha256, zip_folder


def counts(service: CivicShield) -> dict[str, int]:
    with service.context.engine.connect() as conn:
        return {name: conn.execute(select(func.count()).select_from(table)).scalar_one()
                for name, table in (("messages", tables.messages), ("senders", tables.senders),
                                    ("findings", tables.findings), ("imports", tables.imports),
                                    ("channels", tables.channels))}


def test_importing_twice_adds_nothing_the_second_time(service: CivicShield, admin: User) -> None:
    first = service.triage.import_file(admin, SAMPLES / "mailbox.mbox")
    before = counts(service)
    second = service.triage.import_file(admin, SAMPLES / "mailbox.mbox")
    assert (first.added, first.skipped) == (2, 0)
    assert (second.added, second.skipped) == (0, 2)
    after = counts(service)
    assert after["messages"] == before["messages"] == 2
    assert after["findings"] == before["findings"]


def test_a_malformed_record_leaves_the_store_exactly_as_it_was(service: CivicShield,
                                                               admin: User) -> None:
    service.triage.import_file(admin, SAMPLES / "generic.jsonl")
    before = counts(service)
    with pytest.raises(ImportFailure) as caught:
        service.triage.import_file(admin, SAMPLES / "malformed.csv")
    assert (caught.value.line, caught.value.field) == (4, "created_at")
    assert counts(service) == before  # the two good rows before it were not kept either


def test_crash_mid_import_rolls_back(service: CivicShield, admin: User, tmp_path: Path) -> None:
    big = tmp_path / "big.jsonl"
    good = (SAMPLES / "generic.jsonl").read_text().splitlines()[0]
    lines = [good.replace('"form-1"', f'"form-{n}"') for n in range(1200)] + ["{not json"]
    big.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = counts(service)
    with pytest.raises(ImportFailure) as caught:
        service.triage.import_file(admin, big)  # three batches were stored before the bad line
    assert caught.value.line == 1201
    assert counts(service) == before


def test_stored_message_keeps_raw_payload_and_hash(service: CivicShield, admin: User) -> None:
    service.triage.import_file(admin, SAMPLES / "message.eml", account="mayor@riverton.example.gov")
    (message,), _ = service.triage.queue(QueueFilter())
    raw = (SAMPLES / "message.eml").read_bytes()
    with service.context.transaction() as repo:
        assert repo.raw_payload(message.id) == raw
    assert message.raw_sha256 == sha256(raw)
    assert message.channel.handle == "mayor@riverton.example.gov"
    assert message.created_at.tzinfo is not None


def test_profile_doxxing_is_flagged_on_import(service: CivicShield, admin: User,
                                              tmp_path: Path) -> None:
    service.triage.import_file(admin, zip_folder(SAMPLES / "x_archive", tmp_path / "x.zip"))
    flagged, total = service.triage.queue(QueueFilter(label="doxxing"))
    assert total == 1
    assert "8ABC 123" in flagged[0].text
    found = service.triage.message(flagged[0].id)
    assert any(f.detector == "profile-match" and f.span for f in found.findings)


def test_every_sample_format_imports_into_one_store(service: CivicShield, admin: User,
                                                    tmp_path: Path) -> None:
    files = [SAMPLES / name for name in (
        "generic.jsonl", "generic.csv", "mailbox.mbox", "message.eml",
        "bluesky-notifications.json", "bluesky-author-feed.json", "mastodon-notifications.json",
        "mastodon-outbox.json", "facebook-comments.json", "instagram-comments.json")]
    files.append(zip_folder(SAMPLES / "x_archive", tmp_path / "x.zip"))
    added = sum(service.triage.import_file(admin, path).added for path in files)
    assert added == 3 + 2 + 2 + 1 + 2 + 1 + 2 + 2 + 2 + 2 + 4
    assert counts(service)["messages"] == added


def test_queue_is_worst_first_and_filters_work(service: CivicShield, admin: User) -> None:
    service.triage.import_file(admin, SAMPLES / "generic.jsonl")
    service.triage.import_file(admin, SAMPLES / "generic.csv")
    items, total = service.triage.queue(QueueFilter())
    assert total == 5
    ranks = [m.priority + RISK_RANK_BONUS[m.sender.risk_level] for m in items]
    assert ranks == sorted(ranks, reverse=True)
    assert set(items[0].flags) & {"threat", "doxxing"}
    threats, _ = service.triage.queue(QueueFilter(label="threat"))
    assert threats and all("threat" in m.flags for m in threats)
    webform = next(c for c in service.principals.channels() if c.platform == "other")
    in_channel, n = service.triage.queue(QueueFilter(channel_id=webform.id))
    assert n == 5 and all(m.channel.id == webform.id for m in in_channel)


def test_review_states_move_messages_out_of_new(service: CivicShield, admin: User) -> None:
    service.triage.import_file(admin, SAMPLES / "generic.jsonl")
    items, _ = service.triage.queue(QueueFilter(state=ReviewState.NEW))
    service.triage.set_state(admin, [items[0].id], ReviewState.ESCALATED)
    assert service.triage.queue(QueueFilter(state=ReviewState.NEW))[1] == 2
    assert service.triage.queue(QueueFilter(state=ReviewState.ESCALATED))[0][0].id == items[0].id
    with service.context.transaction() as repo:
        assert repo.audit_entries(5, 0)[0].action == "message.escalated"


def test_unknown_principal_and_ambiguous_workspace(service: CivicShield, admin: User) -> None:
    service.principals.add(admin, "council-a", "Council Member A")
    with pytest.raises(InvalidInputError, match="--principal"):
        service.triage.import_file(admin, SAMPLES / "generic.jsonl")
    result = service.triage.import_file(admin, SAMPLES / "generic.jsonl", principal="council-a")
    assert result.added == 3


def test_same_message_for_two_principals_is_kept_for_each(service: CivicShield,
                                                          admin: User) -> None:
    service.principals.add(admin, "council-a", "Council Member A")
    triage = service.triage
    assert triage.import_file(admin, SAMPLES / "generic.jsonl", principal="mayor").added == 3
    assert triage.import_file(admin, SAMPLES / "generic.jsonl", principal="council-a").added == 3


def test_sender_merge_reassesses_risk_across_platforms(service: CivicShield, admin: User,
                                                       tmp_path: Path) -> None:
    service.triage.import_file(admin, SAMPLES / "bluesky-notifications.json")
    service.triage.import_file(admin, zip_folder(SAMPLES / "x_archive", tmp_path / "x.zip"))
    bluesky = next(m for m in service.triage.queue(QueueFilter())[0] if m.platform == "bluesky"
                   and m.flags).sender
    x_dm = service.triage.queue(QueueFilter(label="doxxing"))[0][0].sender
    merge = service.triage.merge_senders(admin, bluesky.id, x_dm.id)
    view = service.triage.sender_view(bluesky.id)
    assert {s.platform for s in view.group} == {"bluesky", "x"}
    assert {m.platform for m in view.timeline} == {"bluesky", "x"}
    assert any("2 platforms" in signal for signal in view.sender.risk_signals)
    with pytest.raises(InvalidInputError, match="itself"):
        service.triage.merge_senders(admin, bluesky.id, x_dm.id)  # one person already
    service.triage.undo_merge(admin, merge.id)
    apart = service.triage.sender_view(bluesky.id)
    assert {s.platform for s in apart.group} == {"bluesky"}
    assert not any("2 platforms" in signal for signal in apart.sender.risk_signals)
    assert service.triage.sender_view(x_dm.id).sender.group_id != apart.sender.group_id
    with pytest.raises(InvalidInputError, match="undone already"):
        service.triage.undo_merge(admin, merge.id)
    actions = [e.action for e in service.accounts.audit_entries(admin)]
    assert "sender.merged" in actions and "sender.unmerged" in actions


def test_import_of_a_copy_under_another_name_still_adds_nothing(service: CivicShield,
                                                                admin: User,
                                                                tmp_path: Path) -> None:
    copy = tmp_path / "renamed.csv"
    shutil.copy(SAMPLES / "generic.csv", copy)
    service.triage.import_file(admin, SAMPLES / "generic.csv")
    assert service.triage.import_file(admin, copy).added == 0


@pytest.mark.parametrize(("field", "value"), [("platform", "<script>"), ("kind", "x" * 5000)])
def test_an_unknown_platform_or_kind_is_refused_in_one_line(service: CivicShield, admin: User,
                                                           tmp_path: Path, field: str,
                                                           value: str) -> None:
    good = json.loads((SAMPLES / "generic.jsonl").read_text().splitlines()[0])
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps(good) + "\n" + json.dumps({**good, "id": "z-2", field: value})
                   + "\n", encoding="utf-8")
    before = counts(service)
    with pytest.raises(ImportFailure) as caught:
        service.triage.import_file(admin, bad)
    assert (caught.value.line, caught.value.field) == (2, field)
    assert "civicshield knows" in str(caught.value) and len(str(caught.value)) < 400
    assert counts(service) == before


def test_bidirectional_controls_are_removed_from_names_and_handles(
        service: CivicShield, admin: User, tmp_path: Path) -> None:
    good = json.loads((SAMPLES / "generic.jsonl").read_text().splitlines()[0])
    record = {**good, "id": "bidi-1", "author_id": "bidi@example.org",
              "author_name": "Ann \u202egro.elpmaxe@nna\u202c", "author_handle": "\u2067ann\u2069",
              "text": "plain \u202e text"}
    path = tmp_path / "bidi.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    service.triage.import_file(admin, path)
    (message,), _ = service.triage.queue(QueueFilter())
    assert message.sender.display_name == "Ann gro.elpmaxe@nna"
    assert message.sender.handle == "ann"
    assert message.text == "plain \u202e text"  # the text is kept as written (it is evidence)

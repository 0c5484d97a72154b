"""Senders as people (search, suggested matches, merge and undo) and the queue as a to-do
list (what needs a person, repeats grouped, undo), through the dashboard."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from civicshield.app import CivicShield
from civicshield.domain.access import cli_actor
from civicshield.domain.models import ReviewState
from civicshield.domain.ports import QueueFilter
from tests.web.conftest import csrf_of

Client = Callable[[str], TestClient]
RECORDS = [
    ("form-1", "webform", "gary.voss@example.org", "", "Gary Voss",
     "The parking ticket on Elm Street is unfair and I want it withdrawn"),
    ("mail-1", "email", "gary.voss@example.org", "", "Gary Voss",
     "Third time I write about the parking ticket on Elm Street"),
    ("bs-1", "bluesky", "did:plc:tomhale", "tomh.bsky.social", "Tom Hale",
     "Smile more, sweetheart. Nobody wants an angry woman as mayor."),
    ("ma-1", "mastodon", "901", "tomh@town.example", "Tom Hale",
     "Go back to the kitchen, you worthless woman."),
] + [(f"rep-{n}", "x", "777", "resign_bot", "", f"You are pathetic and worthless, resign now #{n}")
     for n in range(5)]


@pytest.fixture
def office(web_service: CivicShield, tmp_path: Path) -> CivicShield:
    lines = [json.dumps({"id": i, "platform": p, "created_at": f"2026-10-2{n % 9}T10:00:00Z",
                         "author_id": a, "author_handle": h, "author_name": name, "text": t})
             for n, (i, p, a, h, name, t) in enumerate(RECORDS)]
    export = tmp_path / "people.jsonl"
    export.write_text("\n".join(lines) + "\n", encoding="utf-8")
    web_service.triage.import_file(cli_actor(), export)
    return web_service


def _sender_id(service: CivicShield, platform: str, external: str) -> int:
    found = [s for s in service.triage.search_senders(external) if s.platform == platform]
    assert found, (platform, external)
    return found[0].id


def test_find_a_sender_by_email_name_handle_or_number(client_for: Client,
                                                      office: CivicShield) -> None:
    client = client_for("viewer")
    by_email = client.get("/senders", params={"q": "GARY.VOSS@example"}).text
    assert by_email.count("gary.voss@example.org</code>") == 2  # the form and the email
    assert "Tom Hale" in client.get("/senders", params={"q": "tom hale"}).text
    assert "resign_bot" in client.get("/senders", params={"q": "resign_"}).text
    number = _sender_id(office, "bluesky", "did:plc:tomhale")
    assert "did:plc:tomhale" in client.get("/senders", params={"q": f"#{number}"}).text
    assert "No sender matches" in client.get("/senders", params={"q": "%"}).text


def test_a_suggested_match_is_merged_after_confirmation_then_undone(
        client_for: Client, office: CivicShield) -> None:
    form = _sender_id(office, "webform", "gary.voss@example.org")
    mail = _sender_id(office, "email", "gary.voss@example.org")
    client = client_for("analyst")
    page = client.get(f"/senders/{form}").text
    assert "Maybe the same person" in page
    assert "the same email address (gary.voss@example.org) on webform and email" in page
    assert f"/senders/{form}/merge?other={mail}" in page
    confirm = client.get(f"/senders/{form}/merge", params={"other": mail}).text
    assert "Are these one person?" in confirm and "can be undone" in confirm
    assert office.triage.sender_view(form).sender.group_id != \
        office.triage.sender_view(mail).sender.group_id  # looking merges nothing
    done = client.post(f"/senders/{form}/merge",
                       data={"other": str(mail), "csrf_token": csrf_of(confirm)},
                       follow_redirects=False)
    assert done.status_code == 303
    merged = client.get(done.headers["location"]).text
    assert "Merged: 1 identity added to this sender." in merged
    assert office.triage.sender_view(form).sender.group_id == \
        office.triage.sender_view(mail).sender.group_id
    merge_id = re.search(r'/senders/merges/(\d+)/undo', merged)
    assert merge_id
    client.post(f"/senders/merges/{merge_id.group(1)}/undo",
                data={"back": str(form), "csrf_token": csrf_of(merged)})
    assert office.triage.sender_view(form).sender.group_id != \
        office.triage.sender_view(mail).sender.group_id
    actions = [e.action for e in office.accounts.audit_entries(cli_actor())]
    assert {"sender.merged", "sender.unmerged"} <= set(actions)
    assert client_for("viewer").post(f"/senders/{form}/merge", data={
        "other": str(mail), "csrf_token": csrf_of(merged)}).status_code == 403


def test_the_same_name_on_two_platforms_is_suggested_with_why(client_for: Client,
                                                              office: CivicShield) -> None:
    bluesky = _sender_id(office, "bluesky", "did:plc:tomhale")
    page = client_for("viewer").get(f"/senders/{bluesky}").text
    assert "the same name (Tom Hale) on bluesky and mastodon" in page
    assert "Review and merge" not in page  # viewers see suggestions, cannot merge


def test_merge_search_from_a_sender_page_leaves_out_the_sender_itself(
        client_for: Client, office: CivicShield) -> None:
    form = _sender_id(office, "webform", "gary.voss@example.org")
    page = client_for("analyst").get("/senders", params={"q": "gary", "for": form}).text
    assert "Find the same person as" in page
    assert page.count("Same person…") == 1  # the email sender, not the form sender itself


def test_the_default_view_is_what_needs_a_person_with_repeats_in_one_row(
        client_for: Client, office: CivicShield) -> None:
    page = client_for("viewer").get("/queue").text
    needs = office.triage.count(QueueFilter(state=ReviewState.NEW, flagged_only=True))
    every_new = office.triage.count(QueueFilter(state=ReviewState.NEW))
    assert 0 < needs < every_new
    assert f"{needs} messages need a person" in page
    assert f"{every_new - needs} other new messages that no detector flagged" in page
    assert page.count('data-repeat="5"') == 1  # the five near-identical messages, one row
    box = re.search(r'name="ids" value="([\d,]+)" aria-label="[^"]*and its 4 repeats"', page)
    assert box and len(box.group(1).split(",")) == 5
    shown = [float(v) for v in re.findall(r'data-priority="([\d.]+)"', page)]
    assert shown == sorted(shown, reverse=True)  # the number shown orders the list


def test_dismissing_a_grouped_row_asks_once_and_undo_puts_it_back(
        client_for: Client, office: CivicShield) -> None:
    client = client_for("analyst")
    page = client.get("/queue").text
    box = re.search(r'name="ids" value="([\d,]+)" aria-label="[^"]*and its 4 repeats"', page)
    assert box
    token = csrf_of(page)
    asked = client.post("/queue/bulk", data={"action": "dismissed", "ids": box.group(1),
                                              "csrf_token": token, "return_to": "/queue"})
    assert "Dismiss 5 messages?" in asked.text
    done = client.post("/queue/bulk", data={"action": "dismissed", "ids": box.group(1),
                                             "csrf_token": token, "return_to": "/queue",
                                             "confirmed": "yes"})
    assert "5 messages dismissed." in done.text and "Undo" in done.text
    ids = [int(i) for i in box.group(1).split(",")]
    assert {office.triage.message(i).review_state for i in ids} == {ReviewState.DISMISSED}
    change = re.search(r'name="change" value="(\w+)"', done.text)
    assert change
    recent = client.get("/queue/recent").text
    assert "Dismissed" in recent and change.group(1) in recent
    back = client.post("/queue/undo", data={"change": change.group(1), "csrf_token": token,
                                            "return_to": "/queue?undo=" + change.group(1)},
                       follow_redirects=False)
    assert back.headers["location"] == "/queue"
    assert {office.triage.message(i).review_state for i in ids} == {ReviewState.NEW}
    assert "undone" in client.get("/queue/recent").text
    again = client.post("/queue/undo", data={"change": change.group(1), "csrf_token": token})
    assert again.status_code == 400 and "undone already" in again.text


def test_undo_leaves_a_message_someone_changed_since(client_for: Client,
                                                     office: CivicShield) -> None:
    first, second = office.triage.queue(QueueFilter(state=ReviewState.NEW), limit=2)[0]
    actor = cli_actor()
    one = office.triage.set_state(actor, [first.id, second.id], ReviewState.REVIEWED)
    office.triage.set_state(actor, [second.id], ReviewState.ESCALATED)
    assert office.triage.undo_review(actor, one.batch) == 1
    assert office.triage.message(first.id).review_state is ReviewState.NEW
    assert office.triage.message(second.id).review_state is ReviewState.ESCALATED


def test_a_message_page_offers_undo_after_a_change(client_for: Client,
                                                   office: CivicShield) -> None:
    message = office.triage.queue(QueueFilter(state=ReviewState.NEW), limit=1)[0][0]
    client = client_for("analyst")
    page = client.get(f"/messages/{message.id}").text
    done = client.post(f"/messages/{message.id}/state",
                       data={"action": "reviewed", "csrf_token": csrf_of(page)})
    assert "1 message marked reviewed." in done.text
    assert office.triage.message(message.id).review_state is ReviewState.REVIEWED
    other = client_for("admin").get(f"/messages/{message.id}?undo=" + re.findall(
        r'name="change" value="(\w+)"', done.text)[0]).text
    assert "marked reviewed." not in other  # the toast is only for whoever made the change


def test_a_long_timeline_is_read_a_page_at_a_time(client_for: Client, web_service: CivicShield,
                                                  tmp_path: Path) -> None:
    lines = [json.dumps({"id": f"t{n}", "platform": "x", "author_id": "555",
                         "author_handle": "writes_a_lot",
                         "created_at": f"2026-09-{1 + n // 24:02d}T{n % 24:02d}:00:00Z",
                         "text": f"Letter number {n} about the bridge"}) for n in range(105)]
    export = tmp_path / "many.jsonl"
    export.write_text("\n".join(lines) + "\n", encoding="utf-8")
    web_service.triage.import_file(cli_actor(), export)
    client = client_for("viewer")
    first = client.get(f"/senders/{_sender_id(web_service, 'x', '555')}").text
    shown = re.findall(r"Letter number (\d+) ", first)
    assert shown == [str(n) for n in range(104, 54, -1)]  # the newest fifty, newest first
    pages = [first]
    while older := re.search(r'href="(/senders/\d+\?before=[^"]+)" rel="next"', pages[-1]):
        pages.append(client.get(older.group(1).replace("&amp;", "&")).text)
    assert len(pages) == 3
    assert re.findall(r"Letter number (\d+) ", pages[1]) == [str(n) for n in range(54, 4, -1)]
    assert re.findall(r"Letter number (\d+) ", pages[2]) == ["4", "3", "2", "1", "0"]
    assert client.get(f"/senders/{_sender_id(web_service, 'x', '555')}",
                      params={"before": "yesterday"}).status_code == 400

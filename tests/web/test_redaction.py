"""What each role may see (issue 20, item 4): one function (domain.access.visible_to) decides,
and every view applies it. Viewers never read the protected person's private details a message
exposes; analysts and admins, who handle evidence, see the message whole."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from civicshield.app import CivicShield
from civicshield.domain.models import User
from civicshield.domain.ports import QueueFilter
from tests.web.test_api import api
from tests.web.test_dashboard import Client

TEXT = "We know she lives at 4127 Larkspur Ln Apt 2B, Riverton. Go see her."
ADDRESS = "Larkspur"  # the message page marks spans, so the street is split by tags


@pytest.fixture
def doxxed(web_service: CivicShield, admin: User, tmp_path: Path) -> tuple[CivicShield, int]:
    record = {"id": "dox-1", "platform": "x", "created_at": "2026-11-30T10:00:00Z",
              "author_id": "x:4242", "author_handle": "doxer", "text": TEXT}
    path = tmp_path / "dox.jsonl"
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    web_service.triage.import_file(admin, path)
    found = [m for m in web_service.triage.queue(QueueFilter(state=None), limit=500)[0]
             if m.external_id == "dox-1"]
    assert found and "doxxing" in found[0].flags
    return web_service, found[0].id


def _pages(client_for: Client, role: str, message_id: int, sender_id: int) -> dict[str, str]:
    client = client_for(role)
    return {view: client.get(path).text for view, path in (
        ("queue", "/queue?state=all"), ("message", f"/messages/{message_id}"),
        ("sender", f"/senders/{sender_id}"))}


@pytest.mark.parametrize(("role", "shown"), [("viewer", False), ("analyst", True),
                                             ("admin", True)])
def test_each_role_sees_what_it_may_in_every_page(doxxed: tuple[CivicShield, int],
                                                  client_for: Client, role: str,
                                                  shown: bool) -> None:
    service, message_id = doxxed
    sender_id = service.triage.message(message_id).sender.id
    for view, html in _pages(client_for, role, message_id, sender_id).items():
        assert (ADDRESS in html) is shown, (role, view)
        assert ("Go see her" in html) or view == "queue", (role, view)  # the rest stays


@pytest.mark.parametrize(("role", "shown"), [("viewer", False), ("analyst", True),
                                             ("admin", True)])
def test_each_role_sees_what_it_may_through_the_api(doxxed: tuple[CivicShield, int],
                                                    admin: User, role: str,
                                                    shown: bool) -> None:
    service, message_id = doxxed
    client = api(service, admin, role)
    sender_id = service.triage.message(message_id).sender.id
    for path in ("/api/v1/queue?limit=500", f"/api/v1/messages/{message_id}",
                 f"/api/v1/senders/{sender_id}"):
        body = client.get(path).text
        assert (ADDRESS in body) is shown, (role, path)


def test_the_incident_view_uses_the_same_rule(doxxed: tuple[CivicShield, int], admin: User) -> None:
    service, message_id = doxxed
    incident = service.incidents.open(admin, "Doxxing", [message_id]).id
    viewer = next(u for u in service.accounts.users(admin) if u.username == "viewer")
    analyst = next(u for u in service.accounts.users(admin) if u.username == "analyst")
    assert ADDRESS not in service.incidents.view(viewer, incident).messages[0].text
    assert ADDRESS in service.incidents.view(analyst, incident).messages[0].text

"""Incident pages: open from the queue or a sender, update, attach, export; roles and CSRF."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable

from fastapi.testclient import TestClient

from civicshield.app import CivicShield
from civicshield.domain.ports import QueueFilter
from tests.web.conftest import csrf_of

Client = Callable[[str], TestClient]


def _open_from_queue(client: TestClient, web_service: CivicShield) -> str:
    threats = web_service.triage.queue(QueueFilter(label="threat"))[0]
    page = client.get("/queue").text
    response = client.post("/incidents", data={"csrf_token": csrf_of(page),
                                               "title": "Threat on the budget post",
                                               "ids": [str(m.id) for m in threats]},
                           follow_redirects=False)
    assert response.status_code == 303
    return str(response.headers["location"])


def test_an_analyst_opens_updates_attaches_and_exports(client_for: Client,
                                                       web_service: CivicShield) -> None:
    client = client_for("analyst")
    url = _open_from_queue(client, web_service)
    page = client.get(url).text
    assert "Threat on the budget post" in page and "captured" in page
    client.post(f"{url}/update", data={"csrf_token": csrf_of(page), "status":
                                       "reported_to_police", "severity": "high",
                                       "police_report": "RPD-77", "note": "filed"})
    page = client.get(url).text
    assert "RPD-77" in page and "reported to police" in page and "annotated" in page
    client.post(f"{url}/attach", data={"csrf_token": csrf_of(page), "note": "screenshot"},
                files={"upload": ("shot.png", b"\x89PNG data", "image/png")})
    page = client.get(url).text
    assert "shot.png" in page
    download = client.post(f"{url}/export", data={"csrf_token": csrf_of(page)})
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        assert {"manifest.json", "report.pdf", "SHA256SUMS"} <= set(archive.namelist())
    assert "exported" in client.get(url).text


def test_viewers_read_but_cannot_act_and_forms_need_csrf(client_for: Client,
                                                         web_service: CivicShield) -> None:
    url = _open_from_queue(client_for("analyst"), web_service)
    viewer = client_for("viewer")
    page = viewer.get(url).text
    assert "Chain of custody" in page and "Download evidence packet" not in page
    assert viewer.post(f"{url}/export", data={"csrf_token": csrf_of(page)}).status_code == 403
    assert client_for("analyst").post(f"{url}/export").status_code == 403  # no CSRF token
    assert re.search(r"Incidents</a>", viewer.get("/incidents").text)


def test_a_notice_and_impact_statement_are_recorded_from_the_incident_page(
        client_for: Client, web_service: CivicShield) -> None:
    from civicshield.domain.access import cli_actor

    client = client_for("analyst")
    url = _open_from_queue(client, web_service)
    csrf = csrf_of(client.get(url).text)
    answer = client.post(url + "/notice", data={"csrf_token": csrf, "kind": "blocked",
                                                "platform": "x", "ticket": "X-991"},
                         follow_redirects=False)
    assert answer.status_code == 303
    client.post(url + "/impact", data={"csrf_token": csrf, "statement": "We moved house."})
    shown = client.get(url).text
    assert "blocked on x" in shown and "ticket X-991" in shown and "We moved house." in shown
    viewer = client_for("viewer")
    refused = viewer.post(url + "/notice", data={"csrf_token": csrf_of(viewer.get(url).text),
                                                 "kind": "warned", "platform": "x"},
                          follow_redirects=False)
    assert refused.status_code == 403
    incident = web_service.incidents.view(cli_actor(), int(url.rsplit("/", 1)[1])).incident
    assert [(n.kind.value, n.platform, n.ticket) for n in incident.notices] == [
        ("blocked", "x", "X-991")]
    assert incident.impact_statement == "We moved house."
    assert web_service.incidents.verify(cli_actor()).ok

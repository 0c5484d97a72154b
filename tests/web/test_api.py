"""The JSON API: token auth, OpenAPI, queue, review, sender and import with clear errors."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from civicshield.app import CivicShield
from civicshield.domain.models import User
from civicshield.web.app import create_app
from tests.conftest import SAMPLES


def api(service: CivicShield, admin: User, username: str) -> TestClient:
    token = service.accounts.create_api_token(admin, username, "test")
    return TestClient(create_app(service), headers={"Authorization": f"Bearer {token}"})


def test_api_needs_a_token(web_service: CivicShield) -> None:
    client = TestClient(create_app(web_service))
    assert client.get("/api/v1/queue").status_code == 401
    bad = client.get("/api/v1/queue", headers={"Authorization": "Bearer cs_wrong"})
    assert bad.status_code == 401


def test_openapi_describes_the_api(web_service: CivicShield) -> None:
    spec = TestClient(create_app(web_service)).get("/api/v1/openapi.json").json()
    assert {"/queue", "/messages/{message_id}", "/messages/review", "/imports",
            "/senders/{sender_id}"} <= set(spec["paths"])


def test_queue_review_and_sender(web_service: CivicShield, admin: User) -> None:
    client = api(web_service, admin, "analyst")
    page = client.get("/api/v1/queue", params={"limit": 3}).json()
    assert page["total"] >= 3 and len(page["items"]) == 3
    top = page["items"][0]
    assert top["flags"] and top["raw_sha256"]
    detail = client.get(f"/api/v1/messages/{top['id']}").json()
    assert detail["findings"][0]["why"]
    changed = client.post("/api/v1/messages/review", json={"ids": [top["id"]],
                                                           "state": "escalated"}).json()
    assert changed["changed"] == 1
    escalated = client.get("/api/v1/queue", params={"state": "escalated"}).json()
    assert [m["id"] for m in escalated["items"]] == [top["id"]]
    undone = client.post(f"/api/v1/messages/review/{changed['change']}/undo").json()
    assert undone["changed"] == 1
    assert client.get("/api/v1/queue", params={"state": "escalated"}).json()["total"] == 0
    again = client.post(f"/api/v1/messages/review/{changed['change']}/undo")
    assert again.status_code == 400 and "undone already" in again.text
    sender = client.get(f"/api/v1/senders/{top['sender']['id']}").json()
    assert sender["timeline"] and sender["identities"]


def test_viewers_cannot_review_or_import(web_service: CivicShield, admin: User) -> None:
    client = api(web_service, admin, "viewer")
    assert client.post("/api/v1/messages/review", json={"ids": [1], "state": "reviewed"}
                       ).status_code == 403
    with (SAMPLES / "generic.csv").open("rb") as handle:
        assert client.post("/api/v1/imports", files={"file": ("generic.csv", handle)}
                           ).status_code == 403


def test_import_upload_is_idempotent_and_errors_name_line_and_field(
        web_service: CivicShield, admin: User) -> None:
    client = api(web_service, admin, "analyst")
    with (SAMPLES / "generic.csv").open("rb") as handle:
        first = client.post("/api/v1/imports", files={"file": ("generic.csv", handle)})
    assert first.status_code == 201 and first.json()["added"] == 2
    with (SAMPLES / "generic.csv").open("rb") as handle:
        again = client.post("/api/v1/imports", files={"file": ("generic.csv", handle)})
    assert again.json()["added"] == 0 and again.json()["skipped"] == 2
    with (SAMPLES / "malformed.csv").open("rb") as handle:
        bad = client.post("/api/v1/imports", files={"file": ("../../malformed.csv", handle)},
                          data={"format": "csv"})
    assert bad.status_code == 422
    body = bad.json()
    assert (body["file"], body["line"], body["field"]) == ("malformed.csv", 4, "created_at")


def test_incidents_through_the_api(web_service: CivicShield, admin: User) -> None:
    import io
    import zipfile

    client = api(web_service, admin, "analyst")
    threats = client.get("/api/v1/queue", params={"label": "threat", "state": "new"}).json()
    ids = [m["id"] for m in threats["items"]]
    created = client.post("/api/v1/incidents", json={"title": "API case", "message_ids": ids,
                                                     "severity": "high"})
    assert created.status_code == 201
    incident = created.json()["id"]
    changed = client.patch(f"/api/v1/incidents/{incident}",
                           json={"status": "reported_to_platform", "police_report": "R-1"}).json()
    assert changed["status"] == "reported_to_platform" and changed["police_reports"] == ["R-1"]
    detail = client.get(f"/api/v1/incidents/{incident}").json()
    assert len(detail["items"]) == len(ids) and detail["ledger_length"] >= len(ids) + 1
    assert all(len(i["sha256"]) == 64 for i in detail["items"])
    assert client.get("/api/v1/evidence/verify").json()["ok"] is True
    packet = client.post(f"/api/v1/incidents/{incident}/export")
    assert packet.status_code == 200
    with zipfile.ZipFile(io.BytesIO(packet.content)) as archive:
        assert "SHA256SUMS" in archive.namelist()
    bad = client.post("/api/v1/incidents", json={"title": "", "message_ids": []})
    assert bad.status_code == 422
    viewer = api(web_service, admin, "viewer")
    assert viewer.post(f"/api/v1/incidents/{incident}/export").status_code == 403
    assert [i["id"] for i in viewer.get("/api/v1/incidents").json()] == [incident]


def test_exposure_through_the_api(web_service: CivicShield, admin: User, tmp_path: Path) -> None:
    from dataclasses import replace

    from tests.conftest import PROFILE
    from tests.exposure.fixtures import serve

    web_service.principals.set_profile(admin, "mayor", replace(PROFILE, state="CA", role="mayor"))
    assert api(web_service, admin, "analyst").get("/api/v1/exposure/findings").status_code == 403
    client = api(web_service, admin, "admin")
    (tmp_path / "post.html").write_text("<p>She lives at 4127 Larkspur Ln Apt 2B.</p>")
    with serve(tmp_path) as base:
        scan = client.post("/api/v1/exposure/scans", json={"urls": [base + "/post.html"]})
    assert scan.status_code == 201 and scan.json()["new_findings"] == 1
    finding = client.get("/api/v1/exposure/findings").json()[0]
    assert finding["kind"] == "home_address" and "[4127 Larkspur Ln Apt 2B]" in finding["context"]
    drafted = client.post("/api/v1/exposure/requests", json={"finding_id": finding["id"]})
    assert drafted.status_code == 201 and drafted.json()["basis"] == "ca-7928-215"
    refused = client.post(f"/api/v1/exposure/requests/{drafted.json()['id']}/state",
                          json={"state": "sent"})
    assert refused.status_code == 400 and "parts to fill in" in refused.json()["detail"]
    assert client.put("/api/v1/exposure/brokers/spokeo.com",
                      json={"status": "found"}).status_code == 204
    optout = client.post("/api/v1/exposure/requests", json={"broker_id": "spokeo.com",
                                                            "basis": "general"}).json()
    web_service.exposure.edit(admin, optout["id"], subject_line=optout["subject"],
                              body=optout["body"].replace("[[signature]]", "Elena Marsh"))
    sent = client.post(f"/api/v1/exposure/requests/{optout['id']}/state",
                       json={"state": "sent", "at": "2026-01-05T09:00:00Z"})
    assert sent.status_code == 200 and sent.json()["overdue"]
    overdue = client.get("/api/v1/exposure/requests", params={"overdue": "true"}).json()
    assert [r["id"] for r in overdue] == [optout["id"]]


def test_alerts_over_the_api(web_service: CivicShield, admin: User) -> None:
    from datetime import UTC, datetime

    web_service.alerts.fire_since(admin, datetime(2026, 1, 1, tzinfo=UTC))
    viewer = api(web_service, admin, "viewer")
    listed = viewer.get("/api/v1/alerts").json()
    assert listed and listed[0]["severity"] == "critical" and listed[0]["reasons"]
    one = viewer.get(f"/api/v1/alerts/{listed[0]['id']}").json()
    assert len(one["message_ids"]) == one["message_count"] > 0
    assert viewer.post(f"/api/v1/alerts/{one['id']}/acknowledge").status_code == 403
    analyst = api(web_service, admin, "analyst")
    taken = analyst.post(f"/api/v1/alerts/{one['id']}/acknowledge").json()
    assert taken["status"] == "acknowledged" and taken["acknowledged_by"] == "analyst"
    closed = analyst.post(f"/api/v1/alerts/{one['id']}/resolve").json()
    assert closed["status"] == "resolved"
    assert analyst.post(f"/api/v1/alerts/{one['id']}/resolve").status_code == 400

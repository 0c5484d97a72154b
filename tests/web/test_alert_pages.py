"""The alert, intake and safety plan pages: what each role sees and may do, the banner, the
rules editor's named errors, an incident opened from an alert, the plan editor and its PDFs."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from civicshield.app import CivicShield
from civicshield.domain.access import cli_actor
from tests.web.conftest import XSS, csrf_of


def fire(service: CivicShield) -> int:
    from datetime import UTC, datetime

    joined = service.alerts.fire_since(cli_actor(), datetime(2026, 1, 1, tzinfo=UTC))
    assert joined > 0
    return service.alerts.overview(cli_actor())[0].id


def test_the_banner_and_the_alert_page(web_service: CivicShield,
                                       client_for: Callable[[str], TestClient]) -> None:
    alert_id = fire(web_service)
    viewer = client_for("viewer")
    queue = viewer.get("/queue").text
    assert "alert-banner" in queue and "need" in queue
    page = viewer.get(f"/alerts/{alert_id}")
    assert page.status_code == 200
    assert "Every message in this alert" in page.text
    assert "/messages/" in page.text and "/senders/" in page.text
    assert "Acknowledge" not in page.text  # viewers read, analysts act
    assert "<script>alert" not in page.text


def test_acknowledge_resolve_and_open_an_incident(web_service: CivicShield,
                                                  client_for: Callable[[str], TestClient]
                                                  ) -> None:
    alert_id = fire(web_service)
    analyst = client_for("analyst")
    token = csrf_of(analyst.get(f"/alerts/{alert_id}").text)
    assert analyst.post(f"/alerts/{alert_id}/acknowledge", data={"csrf_token": token},
                        follow_redirects=False).status_code == 303
    assert "acknowledged by analyst" in analyst.get(f"/alerts/{alert_id}").text
    opened = analyst.post(f"/alerts/{alert_id}/incident", data={"csrf_token": token},
                          follow_redirects=False)
    assert opened.status_code == 303 and opened.headers["location"].startswith("/incidents/")
    incident = analyst.get(opened.headers["location"]).text
    assert "critical" in incident
    assert f"/incidents/{opened.headers['location'].rsplit('/', 1)[1]}" in analyst.get(
        f"/alerts/{alert_id}").text
    # without the token nothing happens
    assert analyst.post(f"/alerts/{alert_id}/resolve", data={}).status_code in (400, 403)
    analyst.post(f"/alerts/{alert_id}/resolve", data={"csrf_token": token})
    resolved = web_service.alerts.view(cli_actor(), alert_id).alert
    assert resolved.status.value == "resolved" and resolved.resolved_by == "analyst"


def test_the_rules_editor_names_the_mistake_and_keeps_the_text(
        client_for: Callable[[str], TestClient]) -> None:
    admin = client_for("admin")
    page = admin.get("/alerts/rules")
    assert page.status_code == 200 and "home-or-family-doxxing" in page.text
    bad = '[[rule]]\nname = "x"\nseverity = "urgent"\nlabels = ["threat"]\n'
    refused = admin.post("/alerts/rules", data={"csrf_token": csrf_of(page.text), "text": bad})
    assert refused.status_code == 400
    assert "rule &#39;x&#39;: field &#39;severity&#39;" in refused.text
    assert "urgent" in refused.text  # the text is kept as typed
    good = bad.replace("urgent", "high")
    saved = admin.post("/alerts/rules", data={"csrf_token": csrf_of(page.text), "text": good})
    assert saved.status_code == 200 and "1 rules are in force" in saved.text
    assert client_for("analyst").get("/alerts/rules").status_code == 403


def test_the_intake_page_adds_a_source_and_never_shows_its_password(
        web_service: CivicShield, client_for: Callable[[str], TestClient]) -> None:
    admin = client_for("admin")
    page = admin.get("/intake")
    assert "No sources yet" in page.text
    token = csrf_of(page.text)
    refused = admin.post("/intake", data={"csrf_token": token, "kind": "imap", "name": "inbox",
                                          "host": "", "username": "u", "secret": "p"})
    assert refused.status_code == 400 and "field &#39;host&#39;" in refused.text
    added = admin.post("/intake", data={
        "csrf_token": token, "kind": "imap", "name": "Mayor inbox", "host": "imap.example.gov",
        "port": "993", "security": "tls", "username": "mayor@example.gov", "folder": "INBOX",
        "auth": "password", "secret": "Sup3r-Secret-Pw"}, follow_redirects=True)
    assert added.status_code == 200 and "Mayor inbox" in added.text
    assert "Sup3r-Secret-Pw" not in added.text
    source = web_service.intake.sources(cli_actor())[0]
    assert source.has_secret and "Sup3r" not in str(source.config)
    analyst = client_for("analyst").get("/intake")
    assert analyst.status_code == 200 and "Add a source" not in analyst.text
    assert client_for("viewer").get("/intake").status_code == 403


def test_the_safety_plan_editor(web_service: CivicShield,
                                client_for: Callable[[str], TestClient]) -> None:
    admin = client_for("admin")
    page = admin.get("/safety")
    assert page.status_code == 200 and "People to call, in order" in page.text
    token = csrf_of(page.text)
    form = {"csrf_token": token,
            "contact_0_name": "Rosa Diaz", "contact_0_role": "security_lead",
            "contact_0_phone": "(916) 555-0111", "contact_0_email": "rosa@riverton.test",
            "contact_0_order": "1", "contact_0_receives": "medium",
            "contact_0_quiet_from": "22", "contact_0_quiet_to": "7",
            "contact_1_name": "", "contact_1_role": "trusted", "contact_1_order": "0",
            "contact_1_receives": "high",
            "place_0_name": "Aunt Carol's house", "place_0_address": "88 Orchard Rd, Davis",
            "place_1_name": "",
            "steps_home": "Close the blinds\nKeep the porch light on",
            "spokesperson": "Jamie Cho", "trigger_critical": "Leave home for the safe place"}
    saved = admin.post("/safety", data=form)
    assert saved.status_code == 200 and "Saved." in saved.text
    _, plan = web_service.safety.plan(cli_actor())
    assert plan.chain()[0].email == "rosa@riverton.test"
    assert plan.chain()[0].quiet_hours == (22, 7)
    assert plan.steps["home"] == ("Close the blinds", "Keep the porch light on")
    bad = admin.post("/safety", data={**form, "contact_0_email": "not-an-address"})
    assert bad.status_code == 400 and "is not an email address" in bad.text
    assert "Aunt Carol" in bad.text  # what was typed is kept
    pdf = admin.post("/safety/pdf", data={"csrf_token": token})
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    card = admin.post("/safety/card", data={"csrf_token": token})
    assert card.content.startswith(b"%PDF")
    analyst = client_for("analyst").get("/safety")
    assert analyst.status_code == 200 and "Only admins change the plan" in analyst.text
    assert client_for("viewer").get("/safety").status_code == 403


def test_attacker_text_in_an_alert_is_escaped(web_service: CivicShield,
                                              client_for: Callable[[str], TestClient]) -> None:
    web_service.alerts.save_rules(cli_actor(), '[[rule]]\nname = "abuse"\nseverity = "high"\n'
                                  'labels = ["harassment", "insult"]\ngroup_by = ["sender"]\n')
    fire(web_service)
    admin = client_for("admin")
    shown = [admin.get(f"/alerts/{a.id}").text for a in web_service.alerts.overview(cli_actor())]
    hostile = [html for html in shown if "&lt;script&gt;" in html]
    assert hostile, "the hostile message should be in an alert"
    assert all(XSS not in html and "<b>evil</b>" not in html for html in shown)

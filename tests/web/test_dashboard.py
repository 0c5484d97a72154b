"""The dashboard over HTTP: login, CSRF, roles, escaping, security headers, triage actions."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable

from fastapi.testclient import TestClient

from civicshield.app import CivicShield
from civicshield.domain.access import cli_actor
from civicshield.domain.models import ReviewState
from civicshield.domain.ports import QueueFilter
from civicshield.web.app import create_app
from tests.web.conftest import PASSWORD, XSS, csrf_of, login

Client = Callable[[str], TestClient]


def test_pages_need_a_login_and_return_to_where_you_were(web_service: CivicShield) -> None:
    client = TestClient(create_app(web_service))
    response = client.get("/queue?label=threat", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/queue%3Flabel%3Dthreat"


def test_wrong_password_and_forged_login_form_are_refused(web_service: CivicShield) -> None:
    client = TestClient(create_app(web_service))
    page = client.get("/login")
    token = re.search(r'name="login_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    bad = client.post("/login", data={"username": "admin", "password": "nope nope nope",
                                      "login_token": token})
    assert bad.status_code == 400 and "do not match" in bad.text
    fresh = TestClient(create_app(web_service))  # no login cookie: a cross-site post
    forged = fresh.post("/login", data={"username": "admin", "password": PASSWORD,
                                        "login_token": "guess"}, follow_redirects=False)
    assert forged.status_code == 400 and "cs_session" not in forged.headers.get("set-cookie", "")


def test_session_cookie_is_httponly_and_strict(web_service: CivicShield) -> None:
    client = TestClient(create_app(web_service))
    page = client.get("/login")
    token = re.search(r'name="login_token" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    response = client.post("/login", data={"username": "admin", "password": PASSWORD,
                                           "login_token": token}, follow_redirects=False)
    cookie = response.headers["set-cookie"].lower()
    assert "cs_session=" in cookie and "httponly" in cookie and "samesite=strict" in cookie


def test_queue_is_worst_first_and_blurs_abusive_text(client_for: Client) -> None:
    page = client_for("analyst").get("/queue")
    assert page.status_code == 200
    priorities = [float(p) for p in re.findall(r'data-priority="([\d.]+)"', page.text)]
    assert priorities and priorities[0] == max(priorities)
    assert 'class="text blurred"' in page.text and "Show text" in page.text


def test_message_text_is_escaped_and_csp_is_strict(client_for: Client,
                                                   web_service: CivicShield) -> None:
    client = client_for("viewer")
    hostile = next(m for m in web_service.triage.queue(QueueFilter(state=None), limit=100)[0]
                   if "pathetic" in m.text)
    for url in ("/queue", f"/messages/{hostile.id}", f"/senders/{hostile.sender.id}"):
        page = client.get(url)
        assert '<script>alert("x")</script>' not in page.text
        assert "<img src=x" not in page.text
        assert "&lt;script&gt;" in page.text
        assert "<b>evil</b>" not in page.text
        csp = page.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert page.headers["x-frame-options"] == "DENY"
    detail = client.get(f"/messages/{hostile.id}").text
    assert 'href="javascript:' not in detail
    assert XSS.startswith("<script>")


def test_message_page_highlights_reasons(client_for: Client, web_service: CivicShield) -> None:
    threat = web_service.triage.queue(QueueFilter(label="threat"))[0][0]
    page = client_for("viewer").get(f"/messages/{threat.id}").text
    assert re.search(r'<mark class="hl hl-threat" title="[^"]+">We know where you live</mark>',
                     page)
    assert "threat wording rules" in page and "threat-rules 6" in page


def test_bulk_action_needs_csrf_and_the_analyst_role(client_for: Client,
                                                     web_service: CivicShield) -> None:
    items, _ = web_service.triage.queue(QueueFilter(state=ReviewState.NEW))
    ids = [str(items[0].id), str(items[1].id)]
    analyst = client_for("analyst")
    missing = analyst.post("/queue/bulk", data={"action": "reviewed", "ids": ids})
    assert missing.status_code == 403
    wrong = analyst.post("/queue/bulk", data={"action": "reviewed", "ids": ids,
                                              "csrf_token": "forged"})
    assert wrong.status_code == 403
    token = csrf_of(analyst.get("/queue").text)
    asked = analyst.post("/queue/bulk", data={"action": "dismissed", "ids": ids,
                                              "csrf_token": token, "return_to": "/queue"},
                         follow_redirects=False)
    assert asked.status_code == 200 and "Dismiss 2 messages?" in asked.text  # asks once
    assert web_service.triage.queue(QueueFilter(state=ReviewState.DISMISSED))[1] == 0
    done = analyst.post("/queue/bulk", data={"action": "dismissed", "ids": ",".join(ids),
                                             "csrf_token": token, "return_to": "/queue",
                                             "confirmed": "yes"}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"].startswith("/queue?undo=")
    assert web_service.triage.queue(QueueFilter(state=ReviewState.DISMISSED))[1] == 2
    viewer = client_for("viewer")
    refused = viewer.post("/queue/bulk", data={"action": "reviewed", "ids": ids,
                                               "csrf_token": csrf_of(viewer.get("/queue").text)})
    assert refused.status_code == 403


def test_open_redirects_are_not_followed(client_for: Client) -> None:
    analyst = client_for("analyst")
    token = csrf_of(analyst.get("/queue").text)
    response = analyst.post("/queue/bulk", data={"action": "reviewed", "ids": ["1"],
                                                 "csrf_token": token,
                                                 "return_to": "//evil.example/x"},
                            follow_redirects=False)
    assert response.headers["location"].startswith("/queue?undo=")


def test_filters_narrow_the_queue(client_for: Client, web_service: CivicShield) -> None:
    client = client_for("viewer")
    threats = client.get("/queue?label=threat&state=all").text
    count = web_service.triage.queue(QueueFilter(label="threat", state=None))[1]
    everything = web_service.triage.queue(QueueFilter(state=None))[1]
    assert 0 < count < everything
    assert f"{count} message{'' if count == 1 else 's'}," in threats
    assert "chip-threat" in threats and "We know where you live" in threats
    assert "potholes on Maple Avenue" not in threats
    bad = client.get("/queue?since=yesterday")
    assert bad.status_code == 400 and "since must be a date" in bad.text


def test_blur_is_a_per_user_setting(client_for: Client) -> None:
    client = client_for("analyst")
    token = csrf_of(client.get("/settings").text)
    client.post("/settings/blur", data={"csrf_token": token})  # box unticked
    assert "text blurred" not in client.get("/queue").text
    assert "text blurred" in client_for("viewer").get("/queue").text


def test_admin_pages_are_for_admins(client_for: Client) -> None:
    assert client_for("analyst").get("/admin/users").status_code == 403
    admin = client_for("admin")
    page = admin.get("/admin/users")
    created = admin.post("/admin/users", data={"username": "newbie", "role": "viewer",
                                               "csrf_token": csrf_of(page.text)})
    assert "One-time password" in created.text
    password = re.search(r"One-time password: <code>([^<]+)</code>", created.text).group(1)  # type: ignore[union-attr]
    login(TestClient(admin.app), "newbie", password)
    audit = admin.get("/admin/audit").text
    assert "added a staff account" in audit and "logged in" in audit  # in words, not codes
    mine = admin.get("/admin/audit?person=newbie&action=login").text
    assert "logged in" in mine and "added a staff account" not in mine
    assert "Older" not in mine and "Page 1" in mine
    bad = admin.get("/admin/audit?since=yesterday")
    assert bad.status_code == 400 and "field &#39;since&#39;" in bad.text


def test_logout_ends_the_session(client_for: Client) -> None:
    client = client_for("viewer")
    token = csrf_of(client.get("/queue").text)
    client.post("/logout", data={"csrf_token": token})
    assert client.get("/queue", follow_redirects=False).status_code == 303


def test_blocking_a_sender_is_recorded_audited_and_undoable(client_for: Client,
                                                           web_service: CivicShield) -> None:
    sender = web_service.triage.queue(QueueFilter(state=None), limit=1)[0][0].sender
    viewer = client_for("viewer")
    assert "We blocked this sender" not in viewer.get(f"/senders/{sender.id}").text
    client = client_for("analyst")
    page = client.get(f"/senders/{sender.id}").text
    assert "We blocked this sender on the platform" in page
    forged = client.post(f"/senders/{sender.id}/block", data={"blocked": "yes"})
    assert forged.status_code == 403
    client.post(f"/senders/{sender.id}/block",
                data={"blocked": "yes", "csrf_token": csrf_of(page)})
    blocked = client.get(f"/senders/{sender.id}").text
    assert "Blocked by the office on" in blocked
    assert web_service.triage.sender_view(sender.id).sender.blocked_at is not None
    client.post(f"/senders/{sender.id}/block",
                data={"blocked": "no", "csrf_token": csrf_of(blocked)})
    assert web_service.triage.sender_view(sender.id).sender.blocked_at is None
    actions = [e.action for e in web_service.accounts.audit_entries(cli_actor())]
    assert "sender.blocked" in actions and "sender.unblocked" in actions


def test_unknown_pages_and_messages_give_plain_errors(client_for: Client) -> None:
    client = client_for("viewer")
    missing = client.get("/messages/999999")
    assert missing.status_code == 404 and "no message with id 999999" in missing.text
    assert client.get("/nowhere").status_code == 404


def test_original_download_is_byte_exact_audited_and_not_for_viewers(
        client_for: Client, web_service: CivicShield) -> None:
    message = web_service.triage.queue(QueueFilter(label="threat"))[0][0]
    assert client_for("viewer").get(f"/messages/{message.id}/raw").status_code == 403
    response = client_for("analyst").get(f"/messages/{message.id}/raw")
    assert response.headers["content-disposition"].endswith(
        f'filename="{message.platform}-message-{message.id}.json"')  # a JSON record
    assert response.status_code == 200
    assert hashlib.sha256(response.content).hexdigest() == message.raw_sha256
    with web_service.context.transaction() as repo:
        assert repo.audit_entries(1, 0)[0].action == "message.raw_downloaded"


def test_a_message_in_another_language_is_marked_not_analysed_in_queue_and_page(
        client_for: Client, web_service: CivicShield, tmp_path: object) -> None:
    import json
    from pathlib import Path

    source = Path(str(tmp_path)) / "spanish.jsonl"
    text = "Te voy a encontrar y te voy a romper la cara, traidora."
    source.write_text(json.dumps({"id": "es-1", "platform": "x", "author_id": "e1",
                                  "created_at": "2026-10-04T10:00:00Z", "text": text})
                      + "\n", encoding="utf-8")
    web_service.triage.import_file(cli_actor(), source)
    marked, _ = web_service.triage.queue(QueueFilter(label="not_analysed"))
    assert [m.external_id for m in marked] == ["es-1"]
    client = client_for("viewer")
    assert "not analysed: language" in client.get("/queue").text
    page = client.get(f"/messages/{marked[0].id}").text
    assert "not analysed: language" in page and "written in Spanish" in page


def test_the_number_shown_is_the_one_that_orders_the_queue(client_for: Client,
                                                          web_service: CivicShield) -> None:
    page = client_for("viewer").get("/queue?state=all").text
    shown = [float(v) for v in re.findall(r'data-priority="([0-9.]+)"', page)]
    assert len(shown) >= 3 and shown == sorted(shown, reverse=True)
    items, _ = web_service.triage.queue(QueueFilter(state=None), limit=50)
    assert [m.rank for m in items] == sorted((m.rank for m in items), reverse=True)
    assert any(m.rank > m.priority for m in items)  # a risky sender's messages rank higher


def test_sender_names_are_isolated_from_the_text_around_them(client_for: Client) -> None:
    page = client_for("viewer").get("/queue?state=all").text
    assert re.search(r'<a href="/senders/\d+"><bdi>[^<]+</bdi></a>', page)


def test_times_are_shown_in_the_office_time_zone_with_utc_on_hover(
        web_service: CivicShield) -> None:
    from dataclasses import replace

    from fastapi.testclient import TestClient

    from civicshield.web.app import create_app
    from tests.web.conftest import login

    settings = replace(web_service.settings, time_zone="America/Chicago")
    office = CivicShield.build(replace(web_service.context, settings=settings))
    client = login(TestClient(create_app(office)), "viewer")
    queue = client.get("/queue").text
    shown = re.search(r'<time datetime="([^"]+)" title="([^"]+ UTC)">([^<]+)</time>', queue)
    assert shown, "times carry their UTC value"
    assert shown.group(3).endswith(("CST", "CDT"))


def test_a_command_run_on_the_server_is_named_in_words(client_for: Client,
                                                       web_service: CivicShield) -> None:
    message = web_service.triage.queue(QueueFilter(flagged_only=True), limit=1)[0][0]
    incident = web_service.incidents.open(cli_actor(), "From the command line", [message.id])
    page = client_for("analyst").get(f"/incidents/{incident.id}").text
    assert "by the command line (root)" in page and "cli:root" not in page

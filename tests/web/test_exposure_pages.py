"""Exposure pages: admins only, CSRF on every form, attacker text escaped, and the path from a
scan to a request on the overdue page."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from civicshield.app import CivicShield
from civicshield.domain.access import cli_actor
from civicshield.domain.profile import ProtectedProfile
from tests.exposure.fixtures import serve
from tests.web.conftest import csrf_of

Client = Callable[[str], TestClient]
HOSTILE = (b"<html><body><p><script>alert(1)</script>Leaked: 4127 Larkspur Lane #2B "
           b"&lt;img src=x onerror=alert(2)&gt;</p></body></html>")
PROFILE_FORM = {"name": "Elena Marsh", "home_address": "4127 Larkspur Ln Apt 2B, Riverton, CA "
                "95820", "state": "ca", "role": "mayor", "phones": "(916) 555-0143\n",
                "family": "Daniel Marsh\nSofia Marsh", "usernames": "elena.at.home",
                "vehicles": "plate 8ABC123"}


def _save_profile(client: TestClient) -> None:
    page = client.get("/exposure/profile").text
    response = client.post("/exposure/profile", data={"csrf_token": csrf_of(page),
                                                      **PROFILE_FORM}, follow_redirects=False)
    assert response.status_code == 303


def test_only_admins_see_exposure(client_for: Client) -> None:
    for role in ("viewer", "analyst"):
        client = client_for(role)
        for path in ("/exposure", "/exposure/profile", "/exposure/brokers", "/exposure/overdue",
                     "/exposure/report.pdf"):
            assert client.get(path).status_code == 403, (role, path)
        assert "/exposure" not in client.get("/queue").text


def test_forms_need_the_csrf_token(client_for: Client) -> None:
    client = client_for("admin")
    response = client.post("/exposure/profile", data=PROFILE_FORM)
    assert response.status_code == 403
    response = client.post("/exposure/brokers/spokeo.com", data={"status": "found"})
    assert response.status_code == 403


def test_profile_is_saved_shown_and_every_view_logged(client_for: Client,
                                                      web_service: CivicShield) -> None:
    client = client_for("admin")
    _save_profile(client)
    page = client.get("/exposure/profile").text
    assert "elena.at.home" in page and 'value="CA"' in page
    actions = [e.action for e in web_service.accounts.audit_entries(cli_actor(), limit=10)]
    assert actions.count("profile.viewed") >= 2 and "profile.updated" in actions
    page = client.get("/exposure/profile").text
    bad = client.post("/exposure/profile", data={"csrf_token": csrf_of(page), "state": "XYZ"})
    assert bad.status_code == 400 and "two-letter state" in bad.text


def test_from_an_upload_to_a_request_on_the_overdue_page(client_for: Client) -> None:
    client = client_for("admin")
    _save_profile(client)
    page = client.get("/exposure").text
    response = client.post("/exposure/scan", data={"csrf_token": csrf_of(page)},
                           files=[("files", ("leak.html", HOSTILE, "text/html")),
                                  ("files", ("broken.pdf", b"%PDF-1.4 nope",
                                             "application/pdf")),
                                  ("files", ("packets/photo.jpg", b"\xff\xd8", "image/jpeg"))],
                           follow_redirects=False)
    assert response.status_code == 303
    page = client.get(response.headers["location"]).text
    assert "<script>alert(1)" not in page and "<img src=x" not in page
    assert "&lt;img src=x onerror=alert(2)&gt;" in page
    assert "upload:broken.pdf: cannot be read as PDF" in page
    assert "1 file(s) of other kinds left out" in page
    finding = re.search(r'href="/exposure/findings/(\d+)">Home address', page)
    assert finding, page

    page = client.get(f"/exposure/findings/{finding.group(1)}").text
    assert "California: agencies may not post" in page  # an upload's publisher is an agency
    assert "While this is out: the safety plan" in page  # the home address is out
    assert "names no safe place yet" in page
    response = client.post("/exposure/requests", data={
        "csrf_token": csrf_of(page), "finding_id": finding.group(1), "basis": "general"},
        follow_redirects=False)
    request_url = response.headers["location"]
    page = client.get(request_url).text
    assert "Fill in before sending: [[signature]]" in page
    body = re.search(r'<textarea name="body"[^>]*>(.*?)</textarea>', page, re.S)
    assert body
    filled = body.group(1).replace("[[signature]]", "Elena Marsh").replace("&#39;", "'") \
        .replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&#34;", '"')
    client.post(f"{request_url}/edit", data={"csrf_token": csrf_of(page), "subject": "Removal",
                                             "body": filled, "email_to": ""})
    page = client.get(request_url).text
    assert "Fill in before sending" not in page
    client.post(f"{request_url}/mark", data={"csrf_token": csrf_of(page), "state": "sent",
                                             "on": "2026-01-05", "note": "posted"})
    overdue = client.get("/exposure/overdue").text
    assert request_url in overdue and "overdue" in overdue
    assert "Demands to renew" in overdue and "Nothing to renew in the next 60 days" in overdue
    assert client.get("/exposure").text.count("overdue") >= 1
    pdf = client.get(f"{request_url}/letter.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_brokers_are_listed_and_marked(client_for: Client) -> None:
    client = client_for("admin")
    _save_profile(client)
    page = client.get("/exposure/brokers").text
    assert page.count("<tr>") >= 151
    client.post("/exposure/brokers/spokeo.com", data={
        "csrf_token": csrf_of(page), "status": "found",
        "listing_url": "https://www.spokeo.com/Elena-Marsh"})
    page = client.get("/exposure/brokers?q=spokeo").text
    assert "Draft removal request" in page and "https://www.spokeo.com/Elena-Marsh" in page
    assert re.search(r"<strong>1 of \d+ checked</strong>, listed on 1", page)
    assert 'href="https://spokeo.com/"' in page  # look the person up on the site itself
    bad = client.post("/exposure/brokers/spokeo.com", data={
        "csrf_token": csrf_of(page), "status": "found", "listing_url": "javascript:alert(1)"})
    assert bad.status_code == 400
    response = client.post("/exposure/requests", data={"csrf_token": csrf_of(page),
                                                       "broker_id": "spokeo.com"},
                           follow_redirects=False)
    page = client.get(response.headers["location"]).text
    assert "7928.215" in page and "legal@spokeo.com" in page


def test_laws_page_flags_unverified_rows(client_for: Client) -> None:
    page = client_for("admin").get("/exposure/laws").text
    assert "not legal advice" in page
    assert page.count("unverified</span>") >= 4
    assert "<td>California</td>" in page and "<td>CA</td>" not in page  # states by name


def test_a_web_scan_runs_in_the_background(client_for: Client, tmp_path: Path) -> None:
    client = client_for("admin")
    _save_profile(client)
    (tmp_path / "post.html").write_text("<p>She lives at 4127 Larkspur Ln Apt 2B.</p>")
    with serve(tmp_path) as base:
        page = client.get("/exposure").text
        response = client.post("/exposure/scan", data={"csrf_token": csrf_of(page),
                                                       "urls": base + "/post.html"})
        assert "runs in the background" in response.text
        deadline = time.monotonic() + 15
        while "Home address" not in client.get("/exposure").text:
            assert time.monotonic() < deadline, "the background scan did not finish"
            time.sleep(0.2)
    bad = client.post("/exposure/scan", data={"csrf_token": csrf_of(page),
                                              "urls": "file:///etc/passwd"})
    assert bad.status_code == 400 and "must start with https://" in bad.text


def test_each_protected_person_has_their_own_exposure(client_for: Client,
                                                      web_service: CivicShield) -> None:
    web_service.principals.add(cli_actor(), "council-reyes", "Ana Reyes", "Council member",
                              ProtectedProfile(name="Ana Reyes", home_address="12 Birch Ct, "
                                               "Riverton, CA 95820", state="CA",
                                               role="council_member"))
    client = client_for("admin")
    page = client.get("/exposure").text
    assert "Protected person" in page and "Ana Reyes" in page
    page = client.get("/exposure?principal=council-reyes").text
    upload = client.post("/exposure/scan", data={"csrf_token": csrf_of(page)},
                         files=[("files", ("cards.csv", b"name,address\nA R,12 Birch Ct\n",
                                           "text/csv"))])
    assert "Birch" in upload.text
    assert "12 Birch Ct" in client.get("/exposure/profile").text  # the cookie keeps the choice
    other = client.get("/exposure?principal=mayor").text
    assert "Birch" not in other


def test_an_upload_scan_does_not_stop_the_dashboard(web_service: CivicShield,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """The scan of uploaded files runs off the event loop: /healthz answers meanwhile."""
    import threading

    import httpx
    import uvicorn

    from civicshield.web.app import create_app
    from tests.pg_server import free_port
    from tests.web.conftest import PASSWORD

    real = web_service.exposure.scan_uploads
    scanning = threading.Event()

    def slow_scan(*args: object, **kwargs: object) -> object:
        scanning.set()
        time.sleep(3)  # a long document
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(web_service.exposure, "scan_uploads", slow_scan)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(web_service), host="127.0.0.1",
                                           port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        with httpx.Client(base_url=base) as client:
            login = client.get("/login").text
            token = re.search(r'name="login_token" value="([^"]+)"', login)
            assert token
            client.post("/login", data={"username": "admin", "password": PASSWORD,
                                        "login_token": token.group(1), "next": "/exposure"})
            page = client.get("/exposure").text
            finished: list[float] = []

            def upload() -> None:
                client.post("/exposure/scan", data={"csrf_token": csrf_of(page)},
                            files=[("files", ("leak.html", HOSTILE, "text/html"))])
                finished.append(time.monotonic())

            uploader = threading.Thread(target=upload)
            uploader.start()
            assert scanning.wait(10)
            with httpx.Client(base_url=base) as other:
                assert other.get("/healthz").status_code == 200
            answered = time.monotonic()
            uploader.join(timeout=30)
            assert finished and answered < finished[0]  # it answered while the scan ran
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def test_a_running_web_scan_says_how_far_it_is(web_service: CivicShield,
                                               client_for: Client,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    from civicshield.web import exposure as pages

    client = client_for("admin")
    seen: list[str] = []

    def scan(*args: object, progress: Callable[[str], None], **kwargs: object) -> None:
        progress("3 document(s) read, 1 exposure(s) so far")
        seen.append(client.get("/exposure").text)

    monkeypatch.setattr(web_service.exposure, "scan", scan)
    session = type("S", (), {"user": cli_actor()})()
    pages._scan_in_background(web_service.exposure, session, ["https://example.org/"],  # type: ignore[arg-type]
                              None, False, None)
    assert "3 document(s) read, 1 exposure(s) so far" in seen[0]
    assert pages.RUNNING == {}  # gone when it ends


def test_places_are_shown_by_name_not_by_server_path() -> None:
    from civicshield.web.render import place

    assert place("/srv/civicshield/agendas/2026-11 packet.pdf") == "2026-11 packet.pdf"
    assert place("upload:leak.html") == "leak.html"
    assert place("https://example.org/a/b.html") == "https://example.org/a/b.html"

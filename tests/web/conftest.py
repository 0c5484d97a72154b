"""A logged-in test client per role over a service with sample messages."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from civicshield.app import CivicShield
from civicshield.domain.models import Role, User
from civicshield.web.app import create_app
from tests.conftest import SAMPLES

PASSWORD = "correct horse battery"
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)> You are pathetic and worthless'


@pytest.fixture
def web_service(sqlite_service: CivicShield, admin: User, tmp_path: object) -> CivicShield:
    for role in Role:
        sqlite_service.accounts.add_user(admin, role.value, role, PASSWORD)
    sqlite_service.triage.import_file(admin, SAMPLES / "generic.jsonl")
    sqlite_service.triage.import_file(admin, SAMPLES / "mastodon-notifications.json")
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    hostile = tmp_path / "hostile.jsonl"
    hostile.write_text('{"id": "xss-1", "platform": "bluesky", "created_at": '
                       '"2026-10-20T10:00:00Z", "author_id": "did:plc:evil", "author_handle": '
                       '"<b>evil</b>", "text": ' + __import__("json").dumps(XSS) +
                       ', "url": "javascript:alert(1)"}\n', encoding="utf-8")
    sqlite_service.triage.import_file(admin, hostile)
    return sqlite_service


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "page has no CSRF token"
    return found.group(1)


def login(client: TestClient, username: str, password: str = PASSWORD) -> TestClient:
    page = client.get("/login")
    token = re.search(r'name="login_token" value="([^"]+)"', page.text)
    assert token
    response = client.post("/login", data={"username": username, "password": password,
                                           "login_token": token.group(1), "next": "/queue"},
                           follow_redirects=False)
    assert response.status_code == 303, response.text
    return client


@pytest.fixture
def client_for(web_service: CivicShield) -> Callable[[str], TestClient]:
    def make(role: str) -> TestClient:
        return login(TestClient(create_app(web_service)), role)
    return make

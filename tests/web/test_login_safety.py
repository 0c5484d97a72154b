"""Logins that resist guessing and passwords that are one-time when they say so (issue 20,
item 5): one-time passwords work once and force a new password, failed logins are throttled per
account and per address with a plain message, HSTS is sent over HTTPS."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi.testclient import TestClient

from civicshield.app import CivicShield
from civicshield.domain.models import Role, User
from civicshield.services import accounts as accounts_module
from civicshield.services.accounts import LoginRefusedError, generated_password
from civicshield.web.app import create_app
from tests.web.conftest import PASSWORD, csrf_of

NEW = "a quiet lake at dawn"


def _log_in(client: TestClient, username: str, password: str) -> httpx.Response:
    form = client.get("/login")
    token = form.text.split('name="login_token" value="')[1].split('"')[0]
    return client.post("/login", data={"username": username, "password": password,
                                       "login_token": token, "next": "/queue"},
                       follow_redirects=False)


def test_a_one_time_password_works_once_and_forces_a_new_one(web_service: CivicShield,
                                                             admin: User) -> None:
    _, one_time = web_service.accounts.add_user(admin, "clerk", Role.ANALYST)
    client = TestClient(create_app(web_service))
    answer = _log_in(client, "clerk", one_time)
    assert answer.status_code == 303 and answer.headers["location"] == "/settings?must=password"
    queue = client.get("/queue", follow_redirects=False)
    assert queue.status_code == 303 and queue.headers["location"] == "/settings?must=password"
    settings = client.get("/settings")
    assert "Choose your own password" in settings.text

    again = _log_in(TestClient(create_app(web_service)), "clerk", one_time)
    assert again.status_code == 429 and "used already" in again.text

    changed = client.post("/settings/password", data={
        "csrf_token": csrf_of(settings.text), "current": one_time, "new": NEW},
        follow_redirects=False)
    assert changed.status_code == 303
    fresh = TestClient(create_app(web_service))
    assert _log_in(fresh, "clerk", NEW).headers["location"] == "/queue"
    assert fresh.get("/queue").status_code == 200
    assert _log_in(TestClient(create_app(web_service)), "clerk",
                   one_time).status_code == 400


def test_a_password_an_admin_resets_is_one_time_and_one_chosen_is_not(
        web_service: CivicShield, admin: User) -> None:
    one_time = web_service.accounts.reset_password(admin, "viewer")
    first = web_service.accounts.authenticate("viewer", one_time)
    assert first is not None and first.must_change_password
    with pytest.raises(LoginRefusedError, match="used already"):
        web_service.accounts.authenticate("viewer", one_time)
    chosen = web_service.accounts.authenticate("analyst", PASSWORD)
    assert chosen is not None and not chosen.must_change_password
    assert web_service.accounts.authenticate("analyst", PASSWORD) is not None


def test_generated_passwords_never_start_with_a_dash(monkeypatch: pytest.MonkeyPatch) -> None:
    answers = iter(["-Ab3dEfGhIjKlMnOpQrS", "_Ab3dEfGhIjKlMnOpQrS", "Zb3dEfGhIjKlMnOpQrST"])
    monkeypatch.setattr(accounts_module.secrets, "token_urlsafe", lambda n: next(answers))
    assert generated_password() == "_Ab3dEfGhIjKlMnOpQrS"


def _at(service: CivicShield, when: list[datetime]) -> CivicShield:
    return CivicShield.build(dataclasses.replace(service.context, clock=lambda: when[0]))


def test_an_account_is_throttled_after_five_failures(web_service: CivicShield) -> None:
    now = [datetime(2026, 12, 1, 9, 0, tzinfo=UTC)]
    service = _at(web_service, now)
    for _ in range(5):
        assert service.accounts.authenticate("analyst", "wrong guess here", "10.0.0.9") is None
    with pytest.raises(LoginRefusedError, match="Too many failed logins for this account"):
        service.accounts.authenticate("analyst", PASSWORD, "10.0.0.10")  # right, but refused
    now[0] += timedelta(minutes=16)
    assert service.accounts.authenticate("analyst", PASSWORD, "10.0.0.10") is not None


def test_an_address_trying_many_accounts_is_throttled(web_service: CivicShield) -> None:
    now = [datetime(2026, 12, 1, 9, 0, tzinfo=UTC)]
    service = _at(web_service, now)
    for n in range(20):
        assert service.accounts.authenticate(f"guess{n}", "wrong guess", "203.0.113.7") is None
    with pytest.raises(LoginRefusedError, match="from this computer"):
        service.accounts.authenticate("analyst", PASSWORD, "203.0.113.7")
    assert service.accounts.authenticate("analyst", PASSWORD, "198.51.100.2") is not None


def test_the_login_page_says_plainly_when_it_is_throttled(web_service: CivicShield) -> None:
    client = TestClient(create_app(web_service))
    for _ in range(5):
        assert _log_in(client, "viewer", "wrong guess here").status_code == 400
    refused = _log_in(client, "viewer", PASSWORD)
    assert refused.status_code == 429
    assert "Wait 15 minutes" in refused.text


def test_hsts_is_sent_over_https_only(web_service: CivicShield) -> None:
    secure = TestClient(create_app(web_service), base_url="https://testserver")
    assert secure.get("/login").headers["Strict-Transport-Security"].startswith("max-age=")
    plain = TestClient(create_app(web_service))
    assert "Strict-Transport-Security" not in plain.get("/login").headers


def test_a_guessable_new_password_is_refused_in_plain_words(web_service: CivicShield) -> None:
    from civicshield.domain.access import cli_actor
    from civicshield.domain.errors import InvalidInputError

    for weak in ("password1234", "analyst12345", "qwertyuiopas"):
        with pytest.raises(InvalidInputError, match="would be easy to guess"):
            web_service.accounts.reset_password(cli_actor(), "analyst", weak)
    web_service.accounts.reset_password(cli_actor(), "analyst", "lantern orchard velvet sky")

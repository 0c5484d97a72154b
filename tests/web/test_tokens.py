"""API tokens: listed without their values, revoked from the command line and the Staff page,
and revoked with the user's sessions on a password reset or a disable (they do not come back on
enable); user names keep to a safe alphabet."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from civicshield.app import CivicShield
from civicshield.domain.errors import InvalidInputError, PermissionDeniedError
from civicshield.domain.models import Role, User
from civicshield.web.app import create_app
from tests.web.conftest import csrf_of

Client = Callable[[str], TestClient]


def _works(service: CivicShield, token: str) -> bool:
    client = TestClient(create_app(service), headers={"Authorization": f"Bearer {token}"})
    return client.get("/api/v1/queue").status_code == 200


def test_a_password_reset_revokes_the_users_tokens(web_service: CivicShield,
                                                   admin: User) -> None:
    token = web_service.accounts.create_api_token(admin, "analyst", "laptop")
    assert _works(web_service, token)
    web_service.accounts.reset_password(admin, "analyst")
    assert not _works(web_service, token)
    assert web_service.accounts.api_tokens(admin, "analyst") == []


def test_disable_revokes_tokens_and_enable_does_not_bring_them_back(web_service: CivicShield,
                                                                   admin: User) -> None:
    token = web_service.accounts.create_api_token(admin, "analyst", "script")
    web_service.accounts.update_user(admin, "analyst", disabled=True)
    web_service.accounts.update_user(admin, "analyst", disabled=False)
    assert not _works(web_service, token)


def test_tokens_are_listed_without_values_and_revoked_by_owner_or_admin(
        web_service: CivicShield, admin: User) -> None:
    token = web_service.accounts.create_api_token(admin, "viewer", "dashboard-wall")
    (listed,) = web_service.accounts.api_tokens(admin, "viewer")
    assert (listed.username, listed.name) == ("viewer", "dashboard-wall")
    assert token not in repr(listed)
    other = User(id=99, username="analyst", role=Role.ANALYST)
    with pytest.raises(PermissionDeniedError):
        web_service.accounts.revoke_api_token(other, listed.id)
    owner = User(id=98, username="viewer", role=Role.VIEWER)
    web_service.accounts.revoke_api_token(owner, listed.id)
    assert not _works(web_service, token)
    entry = web_service.accounts.audit_entries(admin, limit=1)[0]
    assert entry.action == "api_token.revoked"


def test_an_admin_revokes_a_token_on_the_staff_page(client_for: Client,
                                                    web_service: CivicShield,
                                                    admin: User) -> None:
    token = web_service.accounts.create_api_token(admin, "analyst", "old-laptop")
    (listed,) = web_service.accounts.api_tokens(admin, "analyst")
    client = client_for("admin")
    page = client.get("/admin/users").text
    assert "old-laptop" in page and token not in page
    refused = client.post(f"/admin/tokens/{listed.id}/revoke", data={"csrf_token": "forged"},
                          follow_redirects=False)
    assert refused.status_code == 403 and _works(web_service, token)
    done = client.post(f"/admin/tokens/{listed.id}/revoke", data={"csrf_token": csrf_of(page)},
                       follow_redirects=False)
    assert done.status_code == 303 and not _works(web_service, token)
    viewer = client_for("viewer")
    assert viewer.post(f"/admin/tokens/{listed.id}/revoke",
                       data={"csrf_token": csrf_of(viewer.get("/queue").text)},
                       follow_redirects=False).status_code == 403


@pytest.mark.parametrize("name", ["a/b", "../admin", "name with space", "-dash", "x" * 101, ""])
def test_user_names_keep_to_a_safe_alphabet(web_service: CivicShield, admin: User,
                                            name: str) -> None:
    with pytest.raises(InvalidInputError, match="letters, digits, dots, dashes or underscores"):
        web_service.accounts.add_user(admin, name, Role.VIEWER)


def test_tokens_listed_and_revoked_from_the_command_line(tmp_path: Path) -> None:
    env = {**os.environ, "CIVICSHIELD_DATA_DIR": str(tmp_path / "data")}
    env.pop("CIVICSHIELD_DATABASE_URL", None)

    def cli(*args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "civicshield", *args], env=env,
                              capture_output=True, text=True, timeout=120, check=True)
        return done.stdout

    cli("init")
    token = cli("users", "token", "admin", "--name", "backup-script").split()[-1]
    listed = cli("users", "tokens").splitlines()
    assert len(listed) == 1 and "admin" in listed[0] and "backup-script" in listed[0]
    assert token not in listed[0]
    number = listed[0].split()[0]
    assert cli("users", "revoke-token", number).strip() == (
        f"Revoked token {number} (backup-script) of admin")
    assert cli("users", "tokens") == ""

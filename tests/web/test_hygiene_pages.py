"""The password hygiene pages: roles, the upload deleted once read, plain errors, exclusions."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from civicshield.app import CivicShield
from civicshield.domain.access import cli_actor
from tests.hygiene.conftest import VAULTS
from tests.web.conftest import csrf_of


def test_pages_by_role_and_the_upload_is_deleted(web_service: CivicShield,
                                                 client_for: Callable[[str], TestClient]
                                                 ) -> None:
    assert client_for("viewer").get("/hygiene").status_code == 403
    analyst = client_for("analyst")
    page = analyst.get("/hygiene")
    assert page.status_code == 200 and "no password is ever stored" in page.text
    token = csrf_of(page.text)
    done = analyst.post("/hygiene", data={"csrf_token": token, "person": "Elena Marsh"},
                        files={"export": ("vault.csv", (VAULTS / "bitwarden.csv").read_bytes(),
                                          "text/csv")}, follow_redirects=False)
    assert done.status_code == 303
    report = analyst.get(done.headers["location"]).text
    assert "Passwords shared between sites" in report and "Set aside" not in report
    office = analyst.get("/hygiene").text
    assert "The office" in office and "Office average:" in office
    refused = analyst.post("/hygiene", data={"csrf_token": token, "person": "Elena Marsh"},
                           files={"export": ("vault.json", b'{"encrypted": true}',
                                             "application/json")})
    assert refused.status_code == 400 and "is encrypted" in refused.text
    uploads = web_service.settings.data_dir / "uploads"
    assert not uploads.exists() or not any(uploads.iterdir())
    admin = client_for("admin")
    audit = done.headers["location"]
    assert "Set aside" in admin.get(audit).text
    admin.post("/hygiene/exclusions", data={
        "csrf_token": csrf_of(admin.get("/hygiene").text), "issue": "weak",
        "site": "rivertonhistory.org", "reason": "read-only forum, nothing to protect",
        "days": "30", "back": audit})
    assert "read-only forum" in admin.get("/hygiene").text


def test_the_account_inventory_pages(web_service: CivicShield,
                                     client_for: Callable[[str], TestClient]) -> None:
    analyst = client_for("analyst")
    page = analyst.get("/hygiene/accounts")
    assert page.status_code == 200 and "No accounts yet" in page.text
    token = csrf_of(page.text)
    refused = analyst.post("/hygiene/accounts", data={
        "csrf_token": token, "platform": "x", "handle": "", "kind": "official",
        "controlled_by": "Jamie Cho"})
    assert "field &#39;handle&#39;" in refused.text
    analyst.post("/hygiene/accounts", data={
        "csrf_token": token, "platform": "venmo", "handle": "elena-m", "kind": "personal",
        "controlled_by": "Elena Marsh", "two_factor": "off"})
    listing = analyst.get("/hygiene/accounts").text
    assert "Two-factor login is off" in listing and "Privacy checks due" in listing
    account = web_service.hygiene.inventory.accounts(cli_actor())[0]
    detail = analyst.get(f"/hygiene/accounts/{account.id}").text
    assert "Payments private" in detail and "not yet" in detail
    analyst.post(f"/hygiene/accounts/{account.id}/check",
                 data={"csrf_token": token, "check": "transactions_private"})
    assert "by analyst" in analyst.get(f"/hygiene/accounts/{account.id}").text
    assert client_for("viewer").get("/hygiene/accounts").status_code == 403

"""The scanner reaches public addresses only: loopback, private, link-local and metadata
addresses are refused after DNS resolution, redirects and re-checks included, unless an admin
allowed the host by name; the dashboard and the API scan web addresses only (issue 20, item 5)."""

from __future__ import annotations

from pathlib import Path

import pytest

from civicshield.app import CivicShield
from civicshield.domain.errors import InvalidInputError
from civicshield.domain.models import Role, User
from civicshield.exposure.crawl import FetchError, fetch, make_client, public_address
from tests.conftest import make_settings
from tests.exposure.fixtures import EXPOSURE_PROFILE, serve


@pytest.fixture
def strict(tmp_path: Path, admin: User) -> CivicShield:
    """A service configured as installed: no host allowed by name."""
    service, _ = CivicShield.initialise(make_settings(tmp_path / "strict",
                                                      exposure_allowed_hosts=""))
    service.principals.add(admin, "mayor", "Elena Marsh", "Mayor of Riverton", EXPOSURE_PROFILE)
    service.accounts.add_user(admin, "admin", Role.ADMIN, "correct horse battery")
    return service


@pytest.mark.parametrize("address", ["127.0.0.1", "localhost", "10.1.2.3", "192.168.0.10",
                                     "172.16.5.4", "169.254.169.254", "100.64.0.1", "[::1]",
                                     "[fe80::1]", "[fd00::1]", "[::ffff:127.0.0.1]", "0.0.0.0"])
def test_local_private_and_metadata_addresses_are_refused(address: str) -> None:
    with make_client() as client, pytest.raises(FetchError) as refused:
        fetch(client, f"http://{address}:9/latest/meta-data/")
    assert "local or private address" in str(refused.value)


def test_a_name_is_judged_by_what_it_resolves_to() -> None:
    with pytest.raises(FetchError, match="localhost is a local or private address"):
        fetch(make_client(), "http://localhost:9/")
    assert public_address("93.184.215.14") == "93.184.215.14"  # a public address passes


def test_nothing_is_sent_to_a_loopback_server(tmp_path: Path) -> None:
    (tmp_path / "p.html").write_text("<p>secret</p>")
    log: list[str] = []
    with serve(tmp_path, log) as base, make_client() as client, pytest.raises(FetchError):
        fetch(client, base + "/p.html")
    assert log == []


def test_an_allowed_host_cannot_redirect_to_one_that_is_not(tmp_path: Path) -> None:
    (tmp_path / "p.html").write_text("<p>inside</p>")
    log: list[str] = []
    with serve(tmp_path, log, redirects={"/go": "/p.html"}) as base:
        port = base.rsplit(":", 1)[1]
        named = f"http://localhost:{port}"
        with make_client(frozenset({"localhost"})) as client:
            assert fetch(client, named + "/p.html")[2] == b"<p>inside</p>"
        inside = {"/away": f"http://127.0.0.1:{port}/p.html"}
    with serve(tmp_path, log, redirects=inside) as base:
        port = base.rsplit(":", 1)[1]
        with make_client(frozenset({"localhost"})) as client, pytest.raises(
                FetchError, match=r"127\.0\.0\.1 is a local or private address"):
            fetch(client, f"http://localhost:{port}/away")
    assert log.count("/p.html") == 1  # the redirect's target was never asked for


def test_a_scan_of_a_loopback_page_stores_nothing(strict: CivicShield, admin: User,
                                                  tmp_path: Path) -> None:
    (tmp_path / "p.html").write_text("<p>She lives at 4127 Larkspur Ln Apt 2B.</p>")
    with serve(tmp_path) as base:
        report = strict.exposure.scan(admin, [base + "/p.html"])
    assert report.new_findings == 0 and "local or private address" in report.errors[0]
    assert strict.exposure.findings(admin) == []


def test_local_files_are_scanned_only_from_the_command_line(strict: CivicShield, admin: User,
                                                            tmp_path: Path) -> None:
    secret = tmp_path / "notes.txt"
    secret.write_text("She lives at 4127 Larkspur Ln Apt 2B.")
    with pytest.raises(InvalidInputError, match="only web addresses"):
        strict.exposure.scan(admin, [str(secret)])
    with pytest.raises(InvalidInputError, match="only web addresses"):
        strict.exposure.scan(admin, ["file:///etc/passwd"])
    assert strict.exposure.scan(admin, [str(secret)], local_files=True).new_findings == 1


def test_the_api_refuses_a_server_path(strict: CivicShield, admin: User) -> None:
    from tests.web.test_api import api

    client = api(strict, admin, "admin")
    answer = client.post("/api/v1/exposure/scans", json={"urls": ["/etc/hostname"]})
    assert answer.status_code == 400 and "only web addresses" in answer.json()["detail"]
    answer = client.post("/api/v1/exposure/scans",
                         json={"urls": ["http://169.254.169.254/latest/meta-data/"]})
    assert answer.status_code == 201 and answer.json()["documents"] == 0
    assert "local or private address" in answer.json()["errors"][0]

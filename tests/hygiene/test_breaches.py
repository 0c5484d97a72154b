"""The breach check: Have I Been Pwned's range API (k-anonymity, padding, one request per
prefix, retries) against a local server that answers in its format, and the offline file."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from civicshield.app import CivicShield
from civicshield.domain.access import cli_actor
from civicshield.domain.hygiene import Issue
from tests.conftest import PROFILE, make_settings
from tests.hygiene.conftest import VAULTS

BREACHED = {"summer": 1_203_441, "Correct-Horse-Battery-9": 3}


def sha1(text: str) -> str:
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest().upper()


class RangeServer:
    """Answers GET /range/XXXXX like api.pwnedpasswords.com: suffix:count lines, padded with
    count-0 lines when asked; the first request for each prefix fails with 503 once."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        self.padding: list[str] = []
        owner = self
        failed: set[str] = set()

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                owner.paths.append(self.path)
                owner.padding.append(self.headers.get("Add-Padding", ""))
                prefix = self.path.rsplit("/", 1)[-1]
                if prefix not in failed:
                    failed.add(prefix)
                    self.send_response(503)
                    self.send_header("Retry-After", "0")
                    self.end_headers()
                    return
                lines = [f"{h[5:]}:{n}" for p, n in BREACHED.items()
                         if (h := sha1(p)).startswith(prefix)]
                lines += [f"{'0' * 30}{i:05X}:0" for i in range(50)]  # padding
                body = "\r\n".join(lines).encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/range/"


@pytest.fixture
def range_server() -> Iterator[RangeServer]:
    server = RangeServer()
    yield server
    server.server.shutdown()


def workspace(tmp_path: Path, **extra: str) -> CivicShield:
    service, _ = CivicShield.initialise(make_settings(tmp_path / "data", **extra))
    service.principals.add(cli_actor(), "mayor", "Elena Marsh", "Mayor", PROFILE)
    return service


def test_online_check_sends_only_prefixes(tmp_path: Path, range_server: RangeServer) -> None:
    service = workspace(tmp_path, pwned_range_url=range_server.url,
                        allowed_local_hosts="127.0.0.1")
    view = service.hygiene.audit(cli_actor(), VAULTS / "bitwarden.json", "Elena Marsh",
                                 breach_check="online")
    breached = {f.domain: f.detail for f in view.of(Issue.BREACHED)}
    assert set(breached) == {"rivertonhistory.org", "facebook.com", "x.com"}
    assert "1,203,441 times" in breached["rivertonhistory.org"]
    prefixes = [p.rsplit("/", 1)[-1] for p in range_server.paths]
    assert all(len(p) == 5 for p in prefixes)  # nothing but five hex characters left
    assert len(set(prefixes)) == 5  # six passwords, two the same: one request per prefix
    assert len(prefixes) == 10  # each retried once after its 503
    assert set(range_server.padding) == {"true"}
    assert view.findings[0].issue is Issue.BREACHED  # breaches come first


def test_no_request_is_made_unless_the_online_check_is_chosen(
        tmp_path: Path, range_server: RangeServer) -> None:
    service = workspace(tmp_path, pwned_range_url=range_server.url,
                        allowed_local_hosts="127.0.0.1")
    service.hygiene.audit(cli_actor(), VAULTS / "bitwarden.json", "Elena Marsh")
    assert range_server.paths == []


def test_the_breach_service_must_be_public_or_allowed(tmp_path: Path,
                                                      range_server: RangeServer) -> None:
    from civicshield.domain.errors import InvalidInputError

    service = workspace(tmp_path, pwned_range_url=range_server.url)
    with pytest.raises(InvalidInputError, match="could not reach"):
        service.hygiene.audit(cli_actor(), VAULTS / "bitwarden.json", "Elena Marsh",
                              breach_check="online")
    assert range_server.paths == []


def test_offline_check_searches_the_sorted_file(tmp_path: Path) -> None:
    hashes = sorted([*(f"{sha1(p)}:{n}" for p, n in BREACHED.items()),
                     *(f"{hashlib.sha1(str(i).encode()).hexdigest().upper()}:{i + 1}"
                       for i in range(2000))])
    listing = tmp_path / "pwned-passwords-sha1-ordered-by-hash.txt"
    listing.write_text("\r\n".join(hashes) + "\r\n", encoding="ascii")
    service = workspace(tmp_path)
    view = service.hygiene.audit(cli_actor(), VAULTS / "bitwarden.json", "Elena Marsh",
                                 breach_check="offline", breach_file=listing)
    assert {f.domain for f in view.of(Issue.BREACHED)} == {"rivertonhistory.org",
                                                           "facebook.com", "x.com"}
    not_a_list = tmp_path / "notes.txt"
    not_a_list.write_text("hello\n", encoding="ascii")
    from civicshield.domain.errors import InvalidInputError

    with pytest.raises(InvalidInputError, match="ordered by hash"):
        service.hygiene.audit(cli_actor(), VAULTS / "bitwarden.json", "Elena Marsh",
                              breach_check="offline", breach_file=not_a_list)

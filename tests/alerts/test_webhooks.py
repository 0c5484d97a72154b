"""Webhooks to a real HTTP server on loopback: the generic body signed with HMAC, the Slack and
Teams formats, the idempotency key, https and public addresses only."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from civicshield.app import CivicShield
from civicshield.domain.access import cli_actor
from civicshield.domain.errors import InvalidInputError
from civicshield.domain.evidence import Severity
from civicshield.notify.webhook import signature
from tests.alerts.conftest import Clock, deliver
from tests.alerts.test_alerts import RULES, THREAT

Received = list[tuple[str, dict[str, str], bytes]]


@pytest.fixture
def receiver() -> Iterator[tuple[str, Received]]:
    got: Received = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            got.append((self.path, dict(self.headers), body))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", got
    finally:
        server.shutdown()


def test_each_kind_of_webhook_gets_its_format(workspace: Callable[..., CivicShield],
                                              clock: Clock, tmp_path: Path,
                                              receiver: tuple[str, Received]) -> None:
    base, got = receiver
    office = workspace(allowed_local_hosts="127.0.0.1")
    office.alerts.save_rules(cli_actor(), RULES)
    admin = cli_actor()
    office.alerts.add_target(admin, "soc", "webhook", f"{base}/generic", "shh-secret",
                             Severity.HIGH)
    office.alerts.add_target(admin, "slack", "slack", f"{base}/slack", "", Severity.HIGH)
    office.alerts.add_target(admin, "teams", "teams", f"{base}/teams", "", Severity.HIGH)
    office.alerts.add_target(admin, "quiet", "webhook", f"{base}/never", "", Severity.CRITICAL)
    office.alerts.remove_target(admin, office.alerts.targets(admin)[0].id)  # "quiet", by name
    deliver(office, tmp_path, [("gary", THREAT)])
    clock.advance(seconds=11)
    office.alerts.tick()
    office.alerts.deliver()
    paths = sorted(p for p, _, _ in got)
    assert paths == ["/generic", "/slack", "/teams"]
    by_path = {p: (h, b) for p, h, b in got}
    headers, body = by_path["/generic"]
    stamp = headers["X-Civicshield-Timestamp"]
    assert headers["X-Civicshield-Signature"] == signature("shh-secret", stamp, body)
    generic = json.loads(body)
    assert generic["rule"] == "threat-of-violence" and generic["severity"] == "critical"
    assert "/alerts/" in generic["url"] and "kill" not in body.decode()
    assert headers["Idempotency-Key"]
    slack = json.loads(by_path["/slack"][1])
    assert slack["blocks"][0]["type"] == "header" and "CRITICAL" in slack["text"]
    teams = json.loads(by_path["/teams"][1])
    card = teams["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    assert card["content"]["actions"][0]["url"] == generic["url"]
    assert "X-Civicshield-Signature" not in by_path["/slack"][0]


def test_webhooks_are_https_and_public_only(workspace: Callable[..., CivicShield],
                                            clock: Clock, tmp_path: Path) -> None:
    office = workspace()
    admin = cli_actor()
    with pytest.raises(InvalidInputError, match="https only"):
        office.alerts.add_target(admin, "plain", "webhook", "http://hooks.example.org/x", "",
                                 Severity.HIGH)
    office.alerts.add_target(admin, "metadata", "webhook", "https://169.254.169.254/latest",
                             "", Severity.LOW)
    office.alerts.save_rules(cli_actor(), RULES)
    deliver(office, tmp_path, [("gary", THREAT)])
    clock.advance(seconds=11)
    office.alerts.tick()
    office.alerts.deliver()
    hooks = [o for o in office.alerts.outbox(admin) if o.kind == "webhook"]
    assert hooks and hooks[0].status == "pending"
    assert hooks[0].attempts == 1 and "could not be reached" in hooks[0].last_error

"""The Bluesky live connector, mocked only at the HTTP edge from the recorded listNotifications
in tests/samples: an app-password session, pages followed by cursor back to the last one
stored, an expired session refreshed, a refused password, a rate limit."""

from __future__ import annotations

import copy
import json
import threading
from pathlib import Path
from typing import Any

import httpx

from civicshield.connectors.bluesky.live import BlueskyKind
from civicshield.domain.errors import SourceError
from civicshield.domain.ports import Reach

SAMPLE = json.loads((Path(__file__).parents[1] / "samples" / "bluesky-notifications.json")
                    .read_text(encoding="utf-8"))
REPLY = next(n for n in SAMPLE["notifications"] if n["reason"] == "reply")


def note(number: int, text: str, reason: str = "reply") -> dict[str, Any]:
    item = copy.deepcopy(REPLY)
    item["uri"] = f"at://did:plc:ewvi7nxzyoun6zhxrhs64oiz/app.bsky.feed.post/3live{number:05d}"
    item["reason"] = reason
    item["indexedAt"] = f"2026-12-01T10:{number // 60:02d}:{number % 60:02d}.000Z"
    item["record"]["text"] = text
    return item


class FakeService:
    """Answers like a Bluesky PDS: sessions, listNotifications newest first with a cursor."""

    def __init__(self) -> None:
        self.notes: list[dict[str, Any]] = []
        self.expire_next = False
        self.fail_next: list[httpx.Response] = []
        self.sessions = 0
        self.refreshes = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("createSession"):
            body = json.loads(request.content)
            if body["password"] != "app-pass-1234":
                return httpx.Response(401, json={"error": "AuthenticationRequired"})
            self.sessions += 1
            return httpx.Response(200, json={"accessJwt": f"access-{self.sessions}",
                                             "refreshJwt": "refresh-1", "did": "did:plc:mayor"})
        if path.endswith("refreshSession"):
            self.refreshes += 1
            return httpx.Response(200, json={"accessJwt": f"access-r{self.refreshes}",
                                             "refreshJwt": "refresh-2"})
        if self.fail_next:
            return self.fail_next.pop(0)
        if self.expire_next:
            self.expire_next = False
            return httpx.Response(400, json={"error": "ExpiredToken",
                                             "message": "Token has expired"})
        if path.endswith("listNotifications"):
            ordered = sorted(self.notes, key=lambda n: n["indexedAt"], reverse=True)
            start = int(request.url.params.get("cursor") or 0)
            limit = int(request.url.params.get("limit") or 50)
            page = ordered[start:start + limit]
            more = start + limit < len(ordered)
            return httpx.Response(200, json={"notifications": page,
                                             **({"cursor": str(start + limit)} if more else {})})
        return httpx.Response(404)


def poll_once(service: FakeService, checkpoint: dict[str, Any], password: str = "app-pass-1234"
              ):  # type: ignore[no-untyped-def]
    kind = BlueskyKind(transport=httpx.MockTransport(service))
    config = kind.check({"handle": "mayor.bsky.social"}, {"app_password": password})
    stop = threading.Event()
    stop.set()  # one poll, then stop
    return list(kind.connect(config, {"app_password": password}, Reach())
                .stream(checkpoint, stop))


def test_first_poll_then_only_what_is_new() -> None:
    service = FakeService()
    service.notes = [note(n, f"reply {n}") for n in range(1, 121)]
    service.notes.append(note(121, "", reason="like"))
    first = poll_once(service, {})
    said = [d.text for delivery in first for d in delivery.drafts]
    assert said == [f"reply {n}" for n in range(1, 121)]  # three pages, oldest first
    checkpoint = first[-1].checkpoint
    service.notes.append(note(130, "a new quote", reason="quote"))
    again = poll_once(service, checkpoint)
    new = [d.text for delivery in again for d in delivery.drafts]
    assert "a new quote" in new and "reply 5" not in new


def test_an_expired_session_is_refreshed() -> None:
    service = FakeService()
    service.notes = [note(1, "still read")]
    service.expire_next = True
    got = poll_once(service, {})
    assert [d.text for delivery in got for d in delivery.drafts] == ["still read"]
    assert service.refreshes == 1


def test_a_refused_app_password_needs_a_person() -> None:
    try:
        poll_once(FakeService(), {}, password="wrong-password")
    except SourceError as exc:
        assert not exc.retryable and "app password" in str(exc)
    else:
        raise AssertionError("a refused password must stop the source")


def test_a_rate_limit_is_waited_out() -> None:
    service = FakeService()
    service.fail_next = [httpx.Response(429, headers={"ratelimit-reset": "30"})]
    try:
        poll_once(service, {})
    except SourceError as exc:
        assert exc.retryable and exc.retry_after == 30.0
    else:
        raise AssertionError("a rate limit must be reported")

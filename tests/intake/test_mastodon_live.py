"""The Mastodon live connector, mocked only at the HTTP edge from the recorded notification in
tests/samples: REST catch-up by since_id (paged), the streaming notification stream, a dropped
stream, a rate limit with Retry-After and a revoked token."""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from civicshield.connectors.mastodon.live import MastodonKind
from civicshield.domain.errors import InvalidInputError, SourceError
from civicshield.domain.ports import Delivery, Reach

SAMPLE = json.loads((Path(__file__).parents[1] / "samples" / "mastodon-notifications.json")
                    .read_text(encoding="utf-8"))
MENTION = next(n for n in SAMPLE if n["type"] == "mention")
TOKEN = "mastodon-test-token"


def notification(number: int, text: str = "See you at the meeting.",
                 kind: str = "mention") -> dict[str, Any]:
    """The recorded notification with a new id, status and text."""
    item = copy.deepcopy(MENTION)
    item["id"] = str(1000 + number)
    item["type"] = kind
    status = item["status"]
    status["id"] = str(113250000000000000 + number)
    status["uri"] = f"https://mastodon.example/users/tomh_1971/statuses/{status['id']}"
    status["url"] = f"https://mastodon.example/@tomh_1971/{status['id']}"
    status["content"] = f"<p>{text}</p>"
    return item


class FakeInstance:
    """Answers like a Mastodon server: notifications newest first, since_id and max_id, the
    user notification stream; programmable failures."""

    def __init__(self) -> None:
        self.notes: list[dict[str, Any]] = []
        self.streamed: list[dict[str, Any]] = []
        self.fail_next: list[httpx.Response] = []
        self.requests: list[httpx.Request] = []
        self.stream_open = False
        self.live: list[dict[str, Any]] = []  # posted while a stream is open: it announces them
        self.posted_during_catch_up: dict[str, Any] | None = None

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.headers.get("authorization") != f"Bearer {TOKEN}":
            return httpx.Response(401, json={"error": "The access token was revoked"})
        if self.fail_next:
            return self.fail_next.pop(0)
        if request.url.path == "/api/v1/notifications":
            page = self._page(request.url.params)
            if self.posted_during_catch_up is not None:  # someone posts while we page
                note, self.posted_during_catch_up = self.posted_during_catch_up, None
                self.notes.append(note)
                if self.stream_open:
                    self.live.append(note)
            return httpx.Response(200, json=page)
        if request.url.path == "/api/v1/streaming/user/notification":
            self.stream_open = True
            return httpx.Response(200, headers={"content-type": "text/event-stream"},
                                  content=self._events())
        return httpx.Response(404)

    def _page(self, params: httpx.QueryParams) -> list[dict[str, Any]]:
        since = int(params.get("since_id") or 0)
        below = int(params.get("max_id") or 10**12)
        limit = int(params.get("limit") or 40)
        fitting = [n for n in self.notes if since < int(n["id"]) < below]
        return sorted(fitting, key=lambda n: -int(n["id"]))[:limit]

    def _events(self) -> Iterator[bytes]:
        yield b":thump\n\n"
        for note in self.live:
            yield f"event: notification\ndata: {json.dumps(note)}\n\n".encode()
        for note in self.streamed:
            self.notes.append(note)
            yield f"event: notification\ndata: {json.dumps(note)}\n\n".encode()
        self.streamed = []
        yield b":thump\n\n"  # then the server closes the stream


def open_stream(instance: FakeInstance, token: str = TOKEN):  # type: ignore[no-untyped-def]
    kind = MastodonKind(transport=httpx.MockTransport(instance))
    config = kind.check({"server": "https://mastodon.example", "account": "@mayor"},
                        {"access_token": token})
    return kind.connect(config, {"access_token": token}, Reach())


def drain(stream: Iterator[Delivery]) -> tuple[list[Delivery], SourceError | None]:
    got: list[Delivery] = []
    try:
        for delivery in stream:
            got.append(delivery)
    except SourceError as exc:
        return got, exc
    return got, None


def texts(deliveries: list[Delivery]) -> list[str]:
    return [d.text for delivery in deliveries for d in delivery.drafts]


def test_catch_up_pages_back_to_the_checkpoint_then_streams() -> None:
    instance = FakeInstance()
    instance.notes = [notification(n, f"old {n}") for n in range(1, 101)]
    instance.notes.append(notification(101, "a favourite", kind="favourite"))
    instance.streamed = [notification(102, "live one"), notification(103, "live two")]
    got, ended = drain(open_stream(instance).stream({"since_id": "1010"}, threading.Event()))
    said = texts(got)
    assert said[:90] == [f"old {n}" for n in range(11, 101)]  # in order, across three pages
    assert said[-2:] == ["live one", "live two"]
    assert "a favourite" not in said
    assert got[-1].checkpoint["since_id"] == "1103"
    assert ended is not None and ended.retryable  # the server closed the stream
    pages = [r for r in instance.requests if r.url.path == "/api/v1/notifications"]
    assert all(r.url.params["since_id"] == "1010" for r in pages) and len(pages) == 3


def test_after_a_dropped_stream_the_catch_up_finds_what_was_missed() -> None:
    instance = FakeInstance()
    instance.streamed = [notification(1, "during the first connection")]
    first, _ = drain(open_stream(instance).stream({}, threading.Event()))
    checkpoint = first[-1].checkpoint
    instance.notes.append(notification(2, "while we were away"))  # posted between connections
    again, _ = drain(open_stream(instance).stream(checkpoint, threading.Event()))
    assert texts(again) == ["while we were away"]


def test_a_mention_posted_during_the_catch_up_is_not_missed() -> None:
    instance = FakeInstance()
    instance.notes = [notification(1, "before")]
    instance.posted_during_catch_up = notification(2, "while catching up")
    got, _ = drain(open_stream(instance).stream({}, threading.Event()))
    assert texts(got) == ["before", "while catching up"]


def test_a_rate_limit_says_how_long_to_wait() -> None:
    instance = FakeInstance()
    instance.fail_next = [httpx.Response(429, headers={"Retry-After": "37"})]
    _, ended = drain(open_stream(instance).stream({}, threading.Event()))
    assert ended is not None and ended.retryable and ended.retry_after == 37.0


def test_a_revoked_token_needs_a_person() -> None:
    _, ended = drain(open_stream(FakeInstance(), token="expired").stream({}, threading.Event()))
    assert ended is not None and not ended.retryable
    assert "refused the access token" in str(ended)


def test_a_server_error_is_retried() -> None:
    instance = FakeInstance()
    instance.fail_next = [httpx.Response(502)]
    _, ended = drain(open_stream(instance).stream({}, threading.Event()))
    assert ended is not None and ended.retryable


def test_a_malformed_notification_is_skipped_not_fatal() -> None:
    instance = FakeInstance()
    broken = notification(1)
    del broken["status"]["uri"]
    instance.notes = [broken, notification(2, "fine")]
    got, _ = drain(open_stream(instance).stream({}, threading.Event()))
    assert texts(got) == ["fine"]


@pytest.mark.parametrize(("config", "secret", "named"), [
    ({}, {"access_token": "t"}, "server"),
    ({"server": "not a url"}, {"access_token": "t"}, "server"),
    ({"server": "https://mastodon.example"}, {}, "access_token"),
])
def test_bad_settings_name_the_field(config: dict[str, Any], secret: dict[str, str],
                                     named: str) -> None:
    with pytest.raises(InvalidInputError) as refused:
        MastodonKind().check(config, secret)
    assert f"'{named}'" in str(refused.value)

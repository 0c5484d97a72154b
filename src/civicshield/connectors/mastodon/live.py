"""Mastodon as it happens: the streaming API's user notification stream, and after every
(re)connection a REST catch-up of the mentions posted since the last one stored (``since_id``).
One source per account; several instances are several sources.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field, HttpUrl

from civicshield.connectors.base import Where, validated
from civicshield.connectors.live_http import checked, dropped, json_of, make_client
from civicshield.connectors.mastodon.connector import notification_draft
from civicshield.domain.errors import ImportFailure, InvalidInputError, SourceError
from civicshield.domain.models import MessageDraft
from civicshield.domain.ports import Delivery, LiveConnection, LiveKind, Reach, StopSignal
from civicshield.hookspecs import hookimpl

log = logging.getLogger("civicshield.intake")

PAGE = 40
#: Mentions read on the very first connection (older ones can be imported from an export).
FIRST_BACKFILL = 200
#: Seconds without a byte (Mastodon sends a heartbeat every 15 seconds) before reconnecting.
STREAM_SILENCE = 90.0


class MastodonSettings(BaseModel):
    """What an admin fills in for one account."""

    model_config = ConfigDict(extra="forbid")

    server: HttpUrl
    account: str = Field(default="", max_length=300)
    #: The streaming server, when the instance runs it elsewhere (GET /api/v1/instance says).
    streaming_server: HttpUrl | None = None


class MastodonKind:
    """Registers the Mastodon live source; ``transport`` replaces the network (tests)."""

    kind = "mastodon"
    platform = "mastodon"
    description = "a Mastodon account's mentions and direct messages, as they arrive"
    secret_fields: tuple[str, ...] = ("access_token",)

    def __init__(self, transport: httpx.BaseTransport | None = None) -> None:
        self.transport = transport

    def check(self, config: Mapping[str, Any], secret: Mapping[str, str]) -> dict[str, Any]:
        """Validated settings; an access token (scope read:notifications) is needed."""
        settings = validated(MastodonSettings, config)
        if not secret.get("access_token"):
            raise InvalidInputError("field 'access_token': needed (an application token with "
                                    "the read:notifications scope)")
        return settings.model_dump(mode="json")

    def connect(self, config: Mapping[str, Any], secret: Mapping[str, str],
                reach: Reach) -> LiveConnection:
        """A reader for one account."""
        settings = MastodonSettings.model_validate(dict(config))
        return MastodonStream(settings, secret.get("access_token", ""),
                              make_client(reach, self.transport))


class MastodonStream:
    """One account: catch-up by REST, then the notification stream."""

    def __init__(self, settings: MastodonSettings, token: str, client: httpx.Client) -> None:
        self.base = str(settings.server).rstrip("/")
        self.streaming = str(settings.streaming_server or settings.server).rstrip("/")
        self.server = settings.server.host or self.base
        self.client = client
        self.client.headers["Authorization"] = f"Bearer {token}"

    def stream(self, checkpoint: Mapping[str, Any], stop: StopSignal) -> Iterator[Delivery]:
        """Open the stream, catch up by REST on what was posted since the checkpoint, then yield
        each notification the stream announces. The stream is opened first so that nothing
        posted during the catch-up falls between the two (an item seen twice is stored once)."""
        since = str(checkpoint.get("since_id", ""))
        url = f"{self.streaming}/api/v1/streaming/user/notification"
        try:
            with self.client.stream("GET", url, timeout=httpx.Timeout(
                    30.0, read=STREAM_SILENCE)) as response:
                checked(response, self.server)
                caught = self._catch_up(since)
                for start in range(0, len(caught), 50):
                    chunk = caught[start:start + 50]
                    since = max(since, chunk[-1][0], key=_as_number) if since else chunk[-1][0]
                    yield Delivery(tuple(d for _, d in chunk if d), {"since_id": since})
                yield Delivery((), {"since_id": since})
                yield from self._listen(response, since, stop)
        except httpx.HTTPError as exc:
            raise dropped(exc, self.server) from exc

    def _catch_up(self, since: str) -> list[tuple[str, MessageDraft | None]]:
        """Every mention newer than ``since`` (newest pages first, then put in order)."""
        found: dict[str, MessageDraft | None] = {}
        max_id = ""
        while True:
            params: dict[str, Any] = {"types[]": "mention", "limit": PAGE}
            if since:
                params["since_id"] = since
            if max_id:
                params["max_id"] = max_id
            page = json_of(self.client.get(f"{self.base}/api/v1/notifications", params=params),
                           self.server)
            if not isinstance(page, list):
                raise SourceError(f"{self.server} sent notifications in an unknown shape")
            for item in page:
                note_id = str(item.get("id", "")) if isinstance(item, dict) else ""
                found[note_id] = self._draft(item, note_id)
            if len(page) < PAGE or (not since and len(found) >= FIRST_BACKFILL):
                break
            max_id = min(found, key=_as_number)
        return sorted(found.items(), key=lambda pair: _as_number(pair[0]))

    def _listen(self, response: httpx.Response, since: str,
                stop: StopSignal) -> Iterator[Delivery]:
        event, data = "", []
        for line in response.iter_lines():
            if stop.is_set():
                return
            if line.startswith(":"):  # a heartbeat
                yield Delivery((), {"since_id": since})
            elif line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].strip())
            elif not line and data:
                if event == "notification":
                    delivery = self._event("\n".join(data), since)
                    since = str(delivery.checkpoint["since_id"])
                    yield delivery
                event, data = "", []
        raise SourceError(f"{self.server} closed the stream")

    def _event(self, payload: str, since: str) -> Delivery:
        try:
            item = json.loads(payload)
        except ValueError as exc:
            raise SourceError(f"{self.server} streamed something that is not JSON") from exc
        note_id = str(item.get("id", "")) if isinstance(item, dict) else ""
        draft = self._draft(item, note_id)
        newest = max(since, note_id, key=_as_number) if since else note_id
        return Delivery((draft,) if draft else (), {"since_id": newest})

    def _draft(self, item: Any, note_id: str) -> MessageDraft | None:
        try:
            return notification_draft(item, Where(f"{self.server} notification {note_id}"))
        except ImportFailure as exc:  # one broken record must not stop the account
            log.warning("skipped a malformed notification: %s", exc.describe())
            return None


def _as_number(note_id: str) -> int:
    return int(note_id) if note_id.isdigit() else 0


@hookimpl
def civicshield_live_sources() -> list[LiveKind]:
    """Register the Mastodon live source."""
    return [MastodonKind()]

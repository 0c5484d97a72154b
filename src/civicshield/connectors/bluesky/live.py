"""Bluesky as it happens: ``app.bsky.notification.listNotifications`` polled every half minute
(replies, mentions and quotes; pages followed by their cursor until the last one stored), logged
in with an app password whose session is refreshed when it expires.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field, HttpUrl

from civicshield.connectors.base import Where, validated
from civicshield.connectors.bluesky.connector import BlueskyImporter
from civicshield.connectors.live_http import dropped, json_of, make_client
from civicshield.domain.errors import ImportFailure, InvalidInputError, SourceError
from civicshield.domain.models import MessageDraft
from civicshield.domain.ports import Delivery, LiveConnection, LiveKind, Reach, StopSignal
from civicshield.hookspecs import hookimpl

log = logging.getLogger("civicshield.intake")
PAGE = 50
#: Pages read on the very first poll (older notifications can be imported from a saved file).
FIRST_PAGES = 4


class BlueskySettings(BaseModel):
    """What an admin fills in for one account."""

    model_config = ConfigDict(extra="forbid")

    handle: str = Field(min_length=3, max_length=253)
    service: HttpUrl = HttpUrl("https://bsky.social")
    poll_seconds: int = Field(default=30, ge=10, le=3600)


class BlueskyKind:
    """Registers the Bluesky live source; ``transport`` replaces the network (tests)."""

    kind = "bluesky"
    platform = "bluesky"
    description = "a Bluesky account's replies, mentions and quotes, polled every 30 seconds"
    secret_fields: tuple[str, ...] = ("app_password",)

    def __init__(self, transport: httpx.BaseTransport | None = None) -> None:
        self.transport = transport

    def check(self, config: Mapping[str, Any], secret: Mapping[str, str]) -> dict[str, Any]:
        """Validated settings; an app password is needed (Settings → App passwords)."""
        settings = validated(BlueskySettings, config)
        if not secret.get("app_password"):
            raise InvalidInputError("field 'app_password': needed (Bluesky Settings → "
                                    "Privacy and security → App passwords)")
        return settings.model_dump(mode="json")

    def connect(self, config: Mapping[str, Any], secret: Mapping[str, str],
                reach: Reach) -> LiveConnection:
        """A poller for one account."""
        settings = BlueskySettings.model_validate(dict(config))
        return BlueskyPoller(settings, secret.get("app_password", ""),
                             make_client(reach, self.transport))


class BlueskyPoller:
    """One account, polled."""

    def __init__(self, settings: BlueskySettings, password: str, client: httpx.Client) -> None:
        self.settings = settings
        self.base = str(settings.service).rstrip("/")
        self.server = settings.service.host or self.base
        self._password = password
        self.client = client
        self._access = self._refresh = ""

    def stream(self, checkpoint: Mapping[str, Any], stop: StopSignal) -> Iterator[Delivery]:
        """New notifications since the checkpoint, then a poll every ``poll_seconds``."""
        seen = str(checkpoint.get("seen_at", ""))
        try:
            self._login()
            while True:
                drafts, newest = self._poll(seen)
                seen = max(seen, newest)
                yield Delivery(drafts, {"seen_at": seen})
                if stop.wait(self.settings.poll_seconds):
                    return
        except httpx.HTTPError as exc:
            raise dropped(exc, self.server) from exc

    def _login(self) -> None:
        answer = self._xrpc("POST", "com.atproto.server.createSession", json={
            "identifier": self.settings.handle, "password": self._password}, auth=False)
        self._access, self._refresh = answer.get("accessJwt", ""), answer.get("refreshJwt", "")
        if not self._access:
            raise SourceError(f"{self.server} did not open a session", retryable=False)

    def _poll(self, seen: str) -> tuple[tuple[MessageDraft, ...], str]:
        """Pages newest first, until one reaches what was stored; in arrival order."""
        drafts: list[MessageDraft] = []
        newest, cursor, pages = seen, "", 0
        while True:
            params: dict[str, Any] = {"limit": PAGE}
            if cursor:
                params["cursor"] = cursor
            page = self._xrpc("GET", "app.bsky.notification.listNotifications", params=params)
            items = page.get("notifications") if isinstance(page, dict) else None
            if not isinstance(items, list):
                raise SourceError(f"{self.server} sent notifications in an unknown shape")
            fresh = [i for i in items if isinstance(i, dict)
                     and str(i.get("indexedAt", "")) >= seen]
            drafts += [d for i in fresh if (d := self._draft(i)) is not None]
            newest = max([newest, *(str(i.get("indexedAt", "")) for i in fresh)])
            cursor, pages = str(page.get("cursor") or ""), pages + 1
            if len(fresh) < len(items) or not cursor or (not seen and pages >= FIRST_PAGES):
                break
        return tuple(reversed(drafts)), newest

    def _draft(self, item: Mapping[str, Any]) -> MessageDraft | None:
        where = Where(f"{self.server} notification {str(item.get('uri', ''))[:80]}")
        try:
            return BlueskyImporter.notification(item, where)
        except ImportFailure as exc:  # one broken record must not stop the account
            log.warning("skipped a malformed notification: %s", exc.describe())
            return None

    def _xrpc(self, method: str, name: str, *, auth: bool = True, **kwargs: Any) -> Any:
        """One XRPC call; an expired session is refreshed (or opened again) once."""
        for attempt in range(2):
            headers = {"Authorization": f"Bearer {self._access}"} if auth else {}
            response = self.client.request(method, f"{self.base}/xrpc/{name}", headers=headers,
                                           **kwargs)
            if auth and attempt == 0 and _expired(response):
                self._renew()
                continue
            if not auth and response.status_code == 401:
                raise SourceError(f"{self.server} refused the app password for "
                                  f"{self.settings.handle}: give a new one on the intake page",
                                  retryable=False)
            return json_of(response, self.server)
        raise SourceError(f"{self.server} keeps refusing the session", retryable=False)

    def _renew(self) -> None:
        response = self.client.post(f"{self.base}/xrpc/com.atproto.server.refreshSession",
                                    headers={"Authorization": f"Bearer {self._refresh}"})
        if response.status_code == 200:
            answer = response.json()
            self._access = answer.get("accessJwt", "")
            self._refresh = answer.get("refreshJwt", self._refresh)
        else:
            self._login()


def _expired(response: httpx.Response) -> bool:
    if response.status_code not in (400, 401):
        return False
    try:
        error = response.json().get("error", "")
    except ValueError:
        return False
    return error in ("ExpiredToken", "InvalidToken")


@hookimpl
def civicshield_live_sources() -> list[LiveKind]:
    """Register the Bluesky live source."""
    return [BlueskyKind()]

"""Email as it arrives, over IMAP: the mailbox opened read-only (EXAMINE), new mail announced by
IDLE (renewed every few minutes, well inside the 29 minutes servers allow), and each message kept
byte for byte. Where reading stopped is the pair (UIDVALIDITY, last UID): when the server
renumbers the mailbox (a new UIDVALIDITY) it is read again from the start, and messages already
stored are recognised by their Message-ID.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any, Literal

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError, LoginError
from pydantic import BaseModel, ConfigDict, Field

from civicshield.connectors.base import Where, validated
from civicshield.connectors.email.connector import message_to_draft
from civicshield.domain.errors import ImportFailure, InvalidInputError, SourceError
from civicshield.domain.models import MessageDraft, SenderRef
from civicshield.domain.ports import Delivery, LiveConnection, LiveKind, Reach, StopSignal
from civicshield.hookspecs import hookimpl
from civicshield.network import BlockedAddressError, check_host, tls_context

#: Messages fetched per round trip.
FETCH_BATCH = 50


class ImapSettings(BaseModel):
    """What an admin fills in for a mailbox."""

    model_config = ConfigDict(extra="forbid")

    host: str = Field(min_length=1, max_length=253)
    port: int = Field(default=993, ge=1, le=65535)
    security: Literal["tls", "starttls"] = "tls"
    username: str = Field(min_length=1, max_length=320)
    folder: str = Field(default="INBOX", min_length=1, max_length=200)
    auth: Literal["password", "oauth2"] = "password"
    #: How long one IDLE lasts before it is renewed (servers drop it after 29 minutes).
    idle_seconds: int = Field(default=300, ge=10, le=1500)
    #: How often a server without IDLE is asked for new mail.
    poll_seconds: int = Field(default=60, ge=5, le=3600)


class ImapKind:
    """Registers the IMAP live source."""

    kind = "imap"
    platform = "email"
    description = "an email inbox over IMAP (read-only; password or OAuth2)"
    secret_fields: tuple[str, ...] = ("password", "access_token")

    def check(self, config: Mapping[str, Any], secret: Mapping[str, str]) -> dict[str, Any]:
        """Validated settings; the credential the chosen login needs must be there."""
        settings = validated(ImapSettings, config)
        assert isinstance(settings, ImapSettings)
        needed = "password" if settings.auth == "password" else "access_token"
        if not secret.get(needed):
            raise InvalidInputError(f"field '{needed}': needed for {settings.auth} login")
        return settings.model_dump()

    def connect(self, config: Mapping[str, Any], secret: Mapping[str, str],
                reach: Reach) -> LiveConnection:
        """A mailbox reader."""
        settings = ImapSettings.model_validate(dict(config))
        return ImapMailbox(settings, dict(secret), reach)


class ImapMailbox:
    """One mailbox folder, read as mail arrives."""

    def __init__(self, settings: ImapSettings, secret: dict[str, str], reach: Reach) -> None:
        self.settings = settings
        self._secret = secret
        self._reach = reach

    def stream(self, checkpoint: Mapping[str, Any], stop: StopSignal) -> Iterator[Delivery]:
        """Catch up from the checkpoint, then yield new mail as IDLE announces it."""
        client = self._open()
        try:
            validity, last = self._examine(client, checkpoint)
            while True:
                found = False
                for delivery in self._new(client, validity, last):
                    found = True
                    last = int(delivery.checkpoint["last_uid"])
                    yield delivery
                if not found:
                    yield Delivery((), {"uidvalidity": validity, "last_uid": last})
                if stop.is_set() or not self._wait(client, stop):
                    return
        except (IMAPClientError, OSError, ssl.SSLError) as exc:
            raise SourceError(f"the mail server {self.settings.host} dropped the connection "
                              f"({type(exc).__name__}: {str(exc)[:120]})") from exc
        finally:
            _close(client)

    def _open(self) -> IMAPClient:
        s = self.settings
        try:
            check_host(s.host, self._reach.allowed_hosts)
            tls = tls_context(self._reach.ca_file)
            client = IMAPClient(s.host, port=s.port, ssl=s.security == "tls", ssl_context=tls,
                                timeout=60)
            if s.security == "starttls":
                client.starttls(tls)
        except BlockedAddressError as exc:
            raise SourceError(f"{exc} (an operator can allow it with "
                              "CIVICSHIELD_ALLOWED_LOCAL_HOSTS)", retryable=False) from exc
        except (TimeoutError, IMAPClientError, OSError, ssl.SSLError) as exc:
            raise SourceError(f"cannot reach the mail server {s.host}:{s.port} "
                              f"({type(exc).__name__})") from exc
        try:
            if s.auth == "oauth2":
                client.oauth2_login(s.username, self._secret.get("access_token", ""))
            else:
                client.login(s.username, self._secret.get("password", ""))
        except LoginError as exc:
            _close(client)
            what = "access token" if s.auth == "oauth2" else "password"
            raise SourceError(f"the mail server refused the {what} for {s.username}: give a "
                              "new one on the intake page", retryable=False) from exc
        return client

    def _examine(self, client: IMAPClient, checkpoint: Mapping[str, Any]) -> tuple[int, int]:
        """Open the folder read-only; the UID to read after (0 when the mailbox was
        renumbered)."""
        info = client.select_folder(self.settings.folder, readonly=True)
        validity = int(info[b"UIDVALIDITY"])
        last = int(checkpoint.get("last_uid", 0))
        if int(checkpoint.get("uidvalidity", validity)) != validity:
            last = 0
        return validity, last

    def _new(self, client: IMAPClient, validity: int, last: int) -> Iterator[Delivery]:
        uids = sorted(u for u in client.search(["UID", f"{last + 1}:*"]) if u > last)
        for start in range(0, len(uids), FETCH_BATCH):
            chunk = uids[start:start + FETCH_BATCH]
            fetched = client.fetch(chunk, ["BODY.PEEK[]", "INTERNALDATE"])
            drafts = tuple(self._draft(validity, uid, fetched[uid]) for uid in chunk
                           if uid in fetched)
            yield Delivery(drafts, {"uidvalidity": validity, "last_uid": chunk[-1]})

    def _draft(self, validity: int, uid: int, data: Mapping[bytes, Any]) -> MessageDraft:
        raw = bytes(data.get(b"BODY[]") or b"")
        where = Where(f"{self.settings.username}/{self.settings.folder}", record=uid)
        try:
            return message_to_draft(raw, where)
        except ImportFailure as exc:
            # kept anyway, byte for byte: a malformed message must not be lost
            arrived = data.get(b"INTERNALDATE")
            return MessageDraft(
                platform="email", external_id=f"imap:{validity}:{uid}",
                sender=SenderRef("email", "unreadable@invalid", handle="(unreadable sender)"),
                text=f"(this message could not be read: {exc.problem})",
                created_at=arrived.astimezone(UTC) if isinstance(arrived, datetime)
                else datetime.now(UTC), raw=raw, kind="email", private=True)

    def _wait(self, client: IMAPClient, stop: StopSignal) -> bool:
        """Block until the server announces mail, IDLE must be renewed, or ``stop``; False
        when stopped."""
        if not client.has_capability("IDLE"):
            return not stop.wait(self.settings.poll_seconds) and _noop(client)
        if _arrived(client.noop()[1]):  # mail that came while the last batch was fetched
            return True
        client.idle()
        started = time.monotonic()
        try:
            while not stop.is_set() and time.monotonic() - started < self.settings.idle_seconds:
                if _arrived(client.idle_check(timeout=1.0)):
                    break
        finally:
            client.idle_done()
        return not stop.is_set()


def _arrived(responses: list[Any]) -> bool:
    """Whether untagged responses announce new mail."""
    return any(isinstance(r, tuple) and len(r) > 1 and r[1] in (b"EXISTS", b"RECENT")
               for r in responses)


def _noop(client: IMAPClient) -> bool:
    client.noop()
    return True


def _close(client: IMAPClient) -> None:
    try:
        client.logout()
    except (IMAPClientError, OSError, ssl.SSLError):
        client.shutdown() if hasattr(client, "shutdown") else None


@hookimpl
def civicshield_live_sources() -> list[LiveKind]:
    """Register the IMAP live source."""
    return [ImapKind()]

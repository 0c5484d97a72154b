"""Mastodon: notifications from the REST API, and the outbox.json of an account archive."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import partial
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from civicshield.connectors.base import (
    Where,
    canonical_json,
    find_top_key,
    head_is_json,
    html_to_text,
    json_items,
    mapping,
    parse_time,
    text_field,
)
from civicshield.domain.errors import ImportFailure
from civicshield.domain.models import MessageDraft, SenderRef
from civicshield.domain.ports import Importer, ImportSource
from civicshield.hookspecs import hookimpl

_PUBLIC = "https://www.w3.org/ns/activitystreams#Public"


def _account_ref(account: Mapping[str, Any], where: Where) -> SenderRef:
    url = text_field(account, "url", where, required=True, label="account.url")
    acct = text_field(account, "acct", where, label="account.acct")
    if acct and "@" not in acct:
        acct = f"{acct}@{urlparse(url).hostname or ''}"
    return SenderRef("mastodon", url, handle="@" + acct if acct else "",
                     display_name=text_field(account, "display_name", where))


def notification_draft(item: Any, where: Where) -> MessageDraft | None:
    """A draft from one notification as the API returns it, or None when it carries no new text
    (only mentions do: replies and direct messages to the account)."""
    note = mapping(item, where, "notification")
    if text_field(note, "type", where, required=True) != "mention":
        return None
    status = mapping(note.get("status"), where, "status")
    visibility = text_field(status, "visibility", where)
    return MessageDraft(
        platform="mastodon",
        external_id=text_field(status, "uri", where, required=True, label="status.uri"),
        sender=_account_ref(mapping(note.get("account"), where, "account"), where),
        text=html_to_text(text_field(status, "content", where)),
        subject=text_field(status, "spoiler_text", where),
        created_at=parse_time(status.get("created_at"), where, "status.created_at"),
        raw=canonical_json(item),
        kind="direct" if visibility == "direct" else "mention",
        thread_id=text_field(status, "in_reply_to_id", where) or text_field(status, "id", where),
        reply_to=text_field(status, "in_reply_to_id", where),
        url=text_field(status, "url", where) or text_field(status, "uri", where),
        private=visibility == "direct")


class MastodonNotificationsImporter:
    """Reads the JSON array that ``GET /api/v1/notifications`` returns."""

    fmt = "mastodon-notifications"
    platform = "mastodon"
    description = "Mastodon API notifications JSON (mentions, direct messages included)"

    def sniff(self, path: Path, head: bytes) -> bool:
        """A JSON array whose items have a type and an account."""
        compact = head.replace(b" ", b"").replace(b"\n", b"")
        return (head_is_json(head) and compact.startswith(b"[")
                and b'"type":"' in compact and b'"account":' in compact)

    def read(self, source: ImportSource) -> Iterator[MessageDraft]:
        """One draft per mention; favourites, boosts and follows carry no new text."""
        with source.path.open("rb") as handle:
            kind, _ = find_top_key(handle, frozenset())
        if kind != "array":
            raise ImportFailure(source.name, "is not Mastodon notifications: expected a JSON array")
        with source.path.open("rb") as handle:
            for record, item in json_items(handle, "item", source.name):
                draft = source.keep(partial(notification_draft, item,
                                            Where(source.name, record=record)))
                if draft is not None:
                    yield draft


class MastodonOutboxImporter:
    """Reads ``outbox.json`` from a Mastodon account archive (ActivityPub)."""

    fmt = "mastodon-outbox"
    platform = "mastodon"
    description = "outbox.json from a Mastodon account archive"

    def sniff(self, path: Path, head: bytes) -> bool:
        """An ActivityStreams OrderedCollection."""
        return head_is_json(head) and b"OrderedCollection" in head and b"activitystreams" in head

    def read(self, source: ImportSource) -> Iterator[MessageDraft]:
        """One draft per Create of a Note; boosts (Announce) are skipped."""
        with source.path.open("rb") as handle:
            _, key = find_top_key(handle, frozenset({"orderedItems"}))
        if key is None:
            raise ImportFailure(source.name, "is not an outbox: 'orderedItems' is missing")
        with source.path.open("rb") as handle:
            for record, item in json_items(handle, "orderedItems.item", source.name):
                where = Where(source.name, record=record)
                activity = mapping(item, where, "orderedItems[]")
                note = activity.get("object")
                if activity.get("type") != "Create" or not isinstance(note, Mapping):
                    continue
                yield self._note(activity, note, item, where)

    @staticmethod
    def _note(activity: Mapping[str, Any], note: Mapping[str, Any], raw: Any,
              where: Where) -> MessageDraft:
        actor = text_field(activity, "actor", where, required=True)
        parsed = urlparse(actor)
        handle = f"@{actor.rstrip('/').rsplit('/', 1)[-1]}@{parsed.hostname or ''}"
        audience = [*(note.get("to") or []), *(note.get("cc") or [])]
        reply_to = text_field(note, "inReplyTo", where, label="object.inReplyTo")
        note_id = text_field(note, "id", where, required=True, label="object.id")
        return MessageDraft(
            platform="mastodon", external_id=note_id, sender=SenderRef("mastodon", actor, handle),
            text=html_to_text(text_field(note, "content", where, label="object.content")),
            subject=text_field(note, "summary", where, label="object.summary"),
            created_at=parse_time(note.get("published") or activity.get("published"), where,
                                  "object.published"),
            raw=canonical_json(raw), kind="reply" if reply_to else "post",
            thread_id=reply_to or note_id, reply_to=reply_to,
            url=text_field(note, "url", where, label="object.url") or note_id,
            private=_PUBLIC not in audience and not any(a.endswith("/followers")
                                                        for a in audience if isinstance(a, str)))


@hookimpl
def civicshield_importers() -> list[Importer]:
    """Register the Mastodon importers."""
    return [MastodonNotificationsImporter(), MastodonOutboxImporter()]

"""Bluesky: JSON as the AT Protocol API returns it.

Accepted: ``app.bsky.notification.listNotifications`` (replies, mentions and quotes; likes,
reposts and follows carry no text and are skipped), ``app.bsky.feed.getAuthorFeed`` /
``getTimeline`` (``feed``), and ``app.bsky.feed.getPosts`` / ``searchPosts`` (``posts``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import partial
from pathlib import Path
from typing import Any

from civicshield.connectors.base import (
    Where,
    canonical_json,
    find_top_key,
    head_is_json,
    json_items,
    mapping,
    parse_time,
    text_field,
)
from civicshield.domain.errors import ImportFailure
from civicshield.domain.models import MessageDraft, SenderRef
from civicshield.domain.ports import Importer, ImportSource
from civicshield.hookspecs import hookimpl

_KEYS = frozenset({"notifications", "feed", "posts"})
_TEXT_REASONS = {"reply", "mention", "quote"}


def post_url(uri: str, handle: str) -> str:
    """The bsky.app address of a post from its at:// URI."""
    rkey = uri.rsplit("/", 1)[-1]
    return f"https://bsky.app/profile/{handle}/post/{rkey}" if handle and rkey else ""


def _object(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _draft(uri: str, author: Mapping[str, Any], record: Mapping[str, Any], raw: Any,
           where: Where, kind: str) -> MessageDraft:
    handle = text_field(author, "handle", where, label="author.handle")
    reply = _object(record.get("reply"))
    parent, root = _object(reply.get("parent")), _object(reply.get("root"))
    return MessageDraft(
        platform="bluesky", external_id=uri,
        sender=SenderRef("bluesky", text_field(author, "did", where, required=True,
                                               label="author.did"),
                         handle="@" + handle if handle else "",
                         display_name=text_field(author, "displayName", where)),
        text=text_field(record, "text", where, label="record.text"),
        created_at=parse_time(record.get("createdAt"), where, "record.createdAt"),
        raw=canonical_json(raw), kind=kind, thread_id=str(root.get("uri", "")) or uri,
        reply_to=str(parent.get("uri", "")), url=post_url(uri, handle))


class BlueskyImporter:
    """Reads saved Bluesky API responses."""

    fmt = "bluesky"
    platform = "bluesky"
    description = "Bluesky API JSON: listNotifications, getAuthorFeed, getPosts or searchPosts"

    def sniff(self, path: Path, head: bytes) -> bool:
        """JSON objects with a notifications, feed or posts list of AT Protocol records."""
        if not head_is_json(head) or b"at://" not in head:
            return False
        with path.open("rb") as handle:
            return find_top_key(handle, _KEYS)[1] is not None

    def read(self, source: ImportSource) -> Iterator[MessageDraft]:
        """One draft per post that carries text."""
        with source.path.open("rb") as handle:
            _, key = find_top_key(handle, _KEYS)
        if key is None:
            raise ImportFailure(source.name, "is not a Bluesky API response: expected an object "
                                "with 'notifications', 'feed' or 'posts'")
        with source.path.open("rb") as handle:
            for record, item in json_items(handle, f"{key}.item", source.name):
                where = Where(source.name, record=record)
                draft = source.keep(partial(self._parsed, key, item, where))
                if draft is not None:
                    yield draft

    @staticmethod
    def _parsed(key: str, item: Any, where: Where) -> MessageDraft | None:
        return BlueskyImporter._item(key, mapping(item, where, f"{key}[]"), where)

    @staticmethod
    def notification(item: Mapping[str, Any], where: Where) -> MessageDraft | None:
        """A draft from one listNotifications item, or None for likes, reposts and follows."""
        reason = text_field(item, "reason", where, required=True)
        if reason not in _TEXT_REASONS:
            return None
        return _draft(text_field(item, "uri", where, required=True),
                      mapping(item.get("author"), where, "author"),
                      mapping(item.get("record"), where, "record"), item, where, reason)

    @staticmethod
    def _item(key: str, item: Mapping[str, Any], where: Where) -> MessageDraft | None:
        if key == "notifications":
            return BlueskyImporter.notification(item, where)
        post = mapping(item.get("post"), where, "post") if key == "feed" else item
        record = mapping(post.get("record"), where, "post.record")
        kind = "reply" if record.get("reply") else "post"
        return _draft(text_field(post, "uri", where, required=True, label="post.uri"),
                      mapping(post.get("author"), where, "post.author"), record, item, where,
                      kind)


@hookimpl
def civicshield_importers() -> list[Importer]:
    """Register the Bluesky importer."""
    return [BlueskyImporter()]

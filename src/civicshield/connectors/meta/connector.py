"""Facebook and Instagram "Download your information" JSON comments.

Meta's JSON export writes non-ASCII text as UTF-8 bytes escaped one by one as Latin-1 code
points ("caf\\u00c3\\u00a9" for "café"); ``repair_text`` undoes that.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from civicshield.connectors.base import (
    Where,
    canonical_json,
    digest,
    find_top_key,
    head_is_json,
    json_items,
    mapping,
    parse_time,
)
from civicshield.domain.errors import ImportFailure
from civicshield.domain.models import MessageDraft, SenderRef
from civicshield.domain.ports import Importer, ImportSource
from civicshield.hookspecs import hookimpl

_IG_KEYS = frozenset({"comments_reels_comments", "comments_media_comments"})


def repair_text(text: str) -> str:
    """Undo Meta's Latin-1 escaping of UTF-8; text that is not mangled is returned as is."""
    try:
        return text.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def _text(data: Mapping[str, Any], key: str, where: Where, field: str) -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        raise where.fail("must be text", field)
    return repair_text(value)


class FacebookCommentsImporter:
    """Reads ``comments.json`` (``comments_v2``) from Facebook's export."""

    fmt = "facebook-comments"
    platform = "facebook"
    description = "Facebook 'Download your information' comments.json"

    def sniff(self, path: Path, head: bytes) -> bool:
        """A JSON object with comments_v2."""
        return head_is_json(head) and b'"comments_v2"' in head

    def read(self, source: ImportSource) -> Iterator[MessageDraft]:
        """One draft per comment."""
        with source.path.open("rb") as handle:
            _, key = find_top_key(handle, frozenset({"comments_v2", "comments"}))
        if key is None:
            raise ImportFailure(source.name, "is not a Facebook comments export: "
                                "'comments_v2' is missing")
        with source.path.open("rb") as handle:
            for record, item in json_items(handle, f"{key}.item", source.name):
                where = Where(source.name, record=record)
                entry = mapping(item, where, f"{key}[]")
                for data in entry.get("data") or []:
                    comment = mapping(mapping(data, where, "data[]").get("comment"), where,
                                      "data[].comment")
                    yield self._comment(entry, comment, item, where)

    @staticmethod
    def _comment(entry: Mapping[str, Any], comment: Mapping[str, Any], raw: Any,
                 where: Where) -> MessageDraft:
        author = _text(comment, "author", where, "comment.author")
        if not author:
            raise where.fail("is required but missing or empty", "comment.author")
        text = _text(comment, "comment", where, "comment.comment")
        created = parse_time(comment.get("timestamp") or entry.get("timestamp"), where,
                             "comment.timestamp")
        return MessageDraft(
            platform="facebook",
            external_id="fb:" + digest(author, str(created.timestamp()), text),
            sender=SenderRef("facebook", "name:" + author, display_name=author),
            text=text, subject=_text(entry, "title", where, "title"), created_at=created,
            raw=canonical_json(raw), kind="comment")


class InstagramCommentsImporter:
    """Reads Instagram's ``post_comments_1.json`` (an array) or ``reels_comments.json``."""

    fmt = "instagram-comments"
    platform = "instagram"
    description = "Instagram 'Download your information' post or reels comments JSON"

    def sniff(self, path: Path, head: bytes) -> bool:
        """Meta's string_map_data records."""
        return head_is_json(head) and (b'"string_map_data"' in head
                                       or b'"comments_reels_comments"' in head)

    def read(self, source: ImportSource) -> Iterator[MessageDraft]:
        """One draft per comment; the author is the exporting account."""
        with source.path.open("rb") as handle:
            kind, key = find_top_key(handle, _IG_KEYS)
        prefix = "item" if kind == "array" else f"{key}.item" if key else None
        if prefix is None:
            raise ImportFailure(source.name, "is not an Instagram comments export")
        owner = source.account or "instagram-account"
        with source.path.open("rb") as handle:
            for record, item in json_items(handle, prefix, source.name):
                where = Where(source.name, record=record)
                fields = mapping(mapping(item, where, "item").get("string_map_data"), where,
                                 "string_map_data")
                text = _text(mapping(fields.get("Comment", {}), where, "Comment"), "value",
                             where, "string_map_data.Comment.value")
                time = mapping(fields.get("Time", {}), where, "Time").get("timestamp")
                created = parse_time(time, where, "string_map_data.Time.timestamp")
                media_owner = _text(mapping(fields.get("Media Owner", {}), where, "Media Owner"),
                                    "value", where, "string_map_data.Media Owner.value")
                yield MessageDraft(
                    platform="instagram",
                    external_id="ig:" + digest(owner, str(created.timestamp()), text),
                    sender=SenderRef("instagram", owner, handle="@" + owner.lstrip("@")),
                    text=text, subject=f"on a post by @{media_owner}" if media_owner else "",
                    created_at=created, raw=canonical_json(item), kind="comment")


@hookimpl
def civicshield_importers() -> list[Importer]:
    """Register the Facebook and Instagram importers."""
    return [FacebookCommentsImporter(), InstagramCommentsImporter()]

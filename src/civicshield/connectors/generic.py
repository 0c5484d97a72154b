"""The generic record schema shared by the JSONL and CSV importers.

| field | required | meaning |
|---|---|---|
| id | yes | the message's id on its platform (unique per platform) |
| platform | yes | one of domain.models.PLATFORMS (email, webform, bluesky, x, ... or other) |
| created_at | yes | ISO 8601 (2026-03-01T14:05:00Z) or Unix seconds |
| text | yes* | the message text (*may be empty when subject is given) |
| author_id | yes | the sender's id on the platform (an email address for email) |
| author_handle, author_name | no | how the sender appears |
| kind | no | one of domain.models.MESSAGE_KINDS: reply, comment, form, ... (default: message) |
| private | no | true for direct messages, emails and forms |
| subject, thread_id, reply_to, url | no | as on the platform |
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from civicshield.connectors.base import Where, parse_time, text_field
from civicshield.domain.models import MESSAGE_KINDS, PLATFORMS, MessageDraft, SenderRef

REQUIRED = ("id", "platform", "created_at", "text", "author_id")
OPTIONAL = ("author_handle", "author_name", "kind", "private", "subject", "thread_id",
            "reply_to", "url")
_TRUE = {"true", "1", "yes", "y"}
_FALSE = {"false", "0", "no", "n", ""}


def _private(value: Any, where: Where) -> bool:
    if isinstance(value, bool):
        return value
    if value is None:
        return False
    lowered = str(value).strip().lower()
    if lowered in _TRUE | _FALSE:
        return lowered in _TRUE
    raise where.fail(f"must be true or false, not {value!r}", "private")


def draft_from_record(data: Mapping[str, Any], where: Where, raw: bytes) -> MessageDraft:
    """Validate one generic record and turn it into a draft."""
    author = data.get("author")
    if isinstance(author, Mapping):  # JSONL may nest the author
        data = {**data, "author_id": author.get("id"), "author_handle": author.get("handle"),
                "author_name": author.get("name")}
    platform = text_field(data, "platform", where, required=True).strip().lower()
    if platform not in PLATFORMS:
        raise where.fail(f"{platform[:40]!r} is not a platform civicshield knows ("
                         f"{', '.join(sorted(PLATFORMS))}); use other", "platform")
    kind = (text_field(data, "kind", where) or "message").strip().lower()
    if kind not in MESSAGE_KINDS:
        raise where.fail(f"{kind[:40]!r} is not a kind of message civicshield knows ("
                         f"{', '.join(sorted(MESSAGE_KINDS))})", "kind")
    subject = text_field(data, "subject", where)
    text = text_field(data, "text", where, required=not subject)
    sender = SenderRef(platform=platform,
                       external_id=text_field(data, "author_id", where, required=True),
                       handle=text_field(data, "author_handle", where),
                       display_name=text_field(data, "author_name", where))
    return MessageDraft(
        platform=platform, external_id=text_field(data, "id", where, required=True),
        sender=sender, text=text, subject=subject,
        created_at=parse_time(data.get("created_at"), where, "created_at"), raw=raw,
        kind=kind,
        thread_id=text_field(data, "thread_id", where),
        reply_to=text_field(data, "reply_to", where), url=text_field(data, "url", where),
        private=_private(data.get("private"), where))

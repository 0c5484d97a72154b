"""What police and platforms ask of a captured original: the account's id as the platform knows
it, the email headers that matter, and a file name a detective can open.

Pure: read from the original bytes as captured, with the standard library only.
"""

from __future__ import annotations

import json
from email.parser import BytesHeaderParser
from email.policy import compat32
from typing import Any
from urllib.parse import urlparse

#: Email headers shown in the report, in this order (Received may repeat).
EMAIL_HEADERS = ("Message-ID", "Date", "From", "Reply-To", "Return-Path", "To", "Subject",
                 "Received")
_MAX_RECEIVED = 20
_NOTES = {
    "facebook": "Facebook's export gives no account id, only the name shown; Meta can tell "
                "police which account posted the comment from its URL and time.",
    "instagram": "Instagram's export gives the username, not the numeric account id.",
    "x": "the X archive gives the numeric account id; the handle may have changed since.",
    "mastodon": "Mastodon's numeric account id on its server, with the account's address.",
    "bluesky": "Bluesky's permanent account id (DID); the handle can change.",
    "email": "the sender's address as written in the From header (it can be forged; the "
             "Received headers show the route).",
}


def account_of(platform: str, raw: bytes, sender_id: str, handle: str) -> dict[str, str]:
    """The sender's account as the platform names it: id, handle, server and a plain note."""
    record = _json(raw)
    found = {"id": sender_id, "handle": handle, "server": "", "note": _NOTES.get(platform, "")}
    if platform == "mastodon":
        account = record.get("account") if isinstance(record.get("account"), dict) else {}
        numeric = str(account.get("id", "")) if account else ""
        found["server"] = urlparse(sender_id).hostname or ""
        if numeric:
            found["id"] = numeric
            found["address"] = sender_id
        else:
            found["note"] = ("this export holds the account's address, not its numeric id; "
                             "the server's operator can give the id.")
    elif platform == "facebook" and sender_id.startswith("name:"):
        found["id"] = ""
    return found


def email_headers(raw: bytes) -> list[tuple[str, str]]:
    """The headers that matter, in order, read from the message's header block only."""
    try:
        parsed = BytesHeaderParser(policy=compat32).parsebytes(raw[:1 << 20])
    except (ValueError, TypeError, LookupError):
        return []
    shown: list[tuple[str, str]] = []
    for name in EMAIL_HEADERS:
        values = parsed.get_all(name) or []
        for value in values[:_MAX_RECEIVED if name == "Received" else 1]:
            shown.append((name, " ".join(str(value).split())))
    return shown


def original_name(item_id: int, platform: str, raw: bytes) -> str:
    """A name a detective can open: .eml for email, .json for JSON records, else .txt."""
    if platform == "email":
        return f"message-{item_id}.eml"
    if _json(raw) or raw.lstrip()[:1] in (b"{", b"["):
        return f"message-{item_id}.json"
    return f"message-{item_id}.txt"


def provider_name(platform: str, url: str = "", address: str = "") -> str:
    """Who holds the records: the company, or the operator of a Mastodon server or mail
    domain by name."""
    host = urlparse(url).hostname if url else ""
    if platform == "mastodon" and host:
        return f"the operator of the Mastodon server {host}"
    if platform == "email" and "@" in address:
        return f"the provider of email for {address.rsplit('@', 1)[1].strip('>').lower()}"
    return PROVIDERS.get(platform, "the service provider")


PROVIDERS = {"x": "X Corp.", "facebook": "Meta Platforms, Inc. (Facebook)",
             "instagram": "Meta Platforms, Inc. (Instagram)", "bluesky": "Bluesky Social, PBC",
             "mastodon": "the Mastodon server operator", "email": "the email provider",
             "webform": "the city's web form host", "other": "the service provider"}


def _json(raw: bytes) -> dict[str, Any]:
    if raw.lstrip()[:1] != b"{":
        return {}
    try:
        found = json.loads(raw)
    except (ValueError, RecursionError):
        return {}
    return found if isinstance(found, dict) else {}

"""Alerts posted to webhooks: generic JSON signed with HMAC-SHA256, or a Slack or Microsoft Teams
message. The body says what fired and links to the dashboard; message text only when an admin
turned that on.

The generic webhook's receiver checks ``X-Civicshield-Signature``: ``sha256=`` and the hex
HMAC-SHA256, under the shared secret, of ``X-Civicshield-Timestamp``, a dot, and the raw body.
``Idempotency-Key`` is the same on every retry of one notification.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any

import httpx

from civicshield.domain.errors import CivicShieldError

KINDS = ("webhook", "slack", "teams")


class DeliveryError(CivicShieldError):
    """A notification was not taken; ``retryable`` when trying again later can help."""

    def __init__(self, problem: str, *, retryable: bool = True) -> None:
        super().__init__(problem)
        self.retryable = retryable


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """What ``X-Civicshield-Signature`` carries for this body."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def body_for(kind: str, note: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON a receiver of this kind expects."""
    if kind == "slack":
        return {"text": f"{note['subject']}\n{note['url']}", "blocks": [
            {"type": "header", "text": {"type": "plain_text", "text": note["subject"][:150]}},
            {"type": "section", "text": {"type": "mrkdwn", "text": _escape_slack(note["text"])}},
            {"type": "actions", "elements": [{"type": "button", "url": note["url"],
                                              "text": {"type": "plain_text",
                                                       "text": "Open in civicshield"}}]}]}
    if kind == "teams":
        return {"type": "message", "attachments": [{
            "contentType": "application/vnd.microsoft.card.adaptive",
            "content": {"$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                        "type": "AdaptiveCard", "version": "1.4", "body": [
                            {"type": "TextBlock", "size": "Large", "weight": "Bolder",
                             "wrap": True, "text": note["subject"]},
                            {"type": "TextBlock", "wrap": True, "text": note["text"]}],
                        "actions": [{"type": "Action.OpenUrl", "title": "Open in civicshield",
                                     "url": note["url"]}]}}]}
    return {key: note[key] for key in ("subject", "text", "url", "severity", "rule",
                                       "alert_id", "reasons", "messages", "senders")
            if key in note}


def _escape_slack(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")[:2900]


def post(client: httpx.Client, url: str, kind: str, secret: str, note: Mapping[str, Any],
         key: str) -> None:
    """Send one notification; DeliveryError when the receiver did not take it."""
    body = json.dumps(body_for(kind, note), separators=(",", ":")).encode()
    headers = {"Content-Type": "application/json", "Idempotency-Key": key}
    if secret:
        stamp = str(int(time.time()))
        headers["X-Civicshield-Timestamp"] = stamp
        headers["X-Civicshield-Signature"] = signature(secret, stamp, body)
    try:
        response = client.post(url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        raise DeliveryError(f"the webhook could not be reached: {exc}") from exc
    if response.status_code >= 300:
        raise DeliveryError(f"the webhook answered {response.status_code}",
                            retryable=response.status_code >= 500
                            or response.status_code == 429)

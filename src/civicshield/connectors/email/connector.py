"""Email: mbox mailboxes (streamed message by message) and single .eml files or folders of them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses, parsedate_to_datetime
from functools import partial
from pathlib import Path
from typing import BinaryIO

from civicshield.connectors.base import Where, digest, html_to_text
from civicshield.domain.models import MessageDraft, SenderRef
from civicshield.domain.ports import Importer, ImportSource
from civicshield.hookspecs import hookimpl

_PARSER = BytesParser(policy=policy.default)
_QUOTED_FROM = re.compile(rb"^>+From ")


#: No mail client nests MIME parts this deep; a message that does is hostile.
MAX_MIME_DEPTH = 32


def _depth(msg: EmailMessage) -> int:
    """How deeply the message's MIME parts nest (counted without recursion)."""
    deepest, stack = 0, [(msg, 1)]
    while stack:
        part, level = stack.pop()
        deepest = max(deepest, level)
        if level > MAX_MIME_DEPTH:
            break
        if part.is_multipart():
            payload = part.get_payload()
            stack += [(p, level + 1) for p in payload if isinstance(p, EmailMessage)]
    return deepest


def message_to_draft(raw: bytes, where: Where) -> MessageDraft:
    """Parse one RFC 5322 message into a draft, naming the header that is wrong; a message
    whose parts nest deeper than MAX_MIME_DEPTH is refused, naming the record."""
    too_deep = f"its MIME parts nest more than {MAX_MIME_DEPTH} levels deep; not read"
    try:
        msg = _PARSER.parsebytes(raw)
    except RecursionError as exc:
        raise where.fail(too_deep) from exc
    assert isinstance(msg, EmailMessage)
    if _depth(msg) > MAX_MIME_DEPTH:
        raise where.fail(too_deep)
    senders = getaddresses([str(msg.get("From", ""))])
    address = senders[0][1].strip().lower() if senders else ""
    if not address:
        raise where.fail("has no sender address", "From")
    date_header = msg.get("Date")
    if not date_header:
        raise where.fail("is missing", "Date")
    try:
        created = parsedate_to_datetime(str(date_header))
    except (TypeError, ValueError) as exc:
        raise where.fail(f"is not a date: {str(date_header)[:40]!r}", "Date") from exc
    message_id = str(msg.get("Message-ID", "")).strip() or f"sha256:{digest(raw.hex())}"
    references = str(msg.get("References", "")).split()
    in_reply_to = str(msg.get("In-Reply-To", "")).strip()
    return MessageDraft(
        platform="email", external_id=message_id,
        sender=SenderRef("email", address, handle=address, display_name=senders[0][0]),
        text=body_text(msg), subject=str(msg.get("Subject", "")), created_at=created, raw=raw,
        kind="email", thread_id=references[0] if references else (in_reply_to or message_id),
        reply_to=in_reply_to, private=True)


def body_text(msg: EmailMessage) -> str:
    """The plain-text body, or the HTML body made readable, or '' when there is none."""
    part = msg.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, UnicodeDecodeError):
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    if not isinstance(content, str):
        return ""
    return html_to_text(content) if part.get_content_type() == "text/html" else content.strip()


def split_mbox(handle: BinaryIO) -> Iterator[tuple[int, bytes]]:
    """Yield (first line number, message bytes) from an mbox, one message in memory at a time."""
    lines: list[bytes] = []
    start = 0
    previous_blank = True
    for number, line in enumerate(handle, start=1):
        if line.startswith(b"From ") and previous_blank:
            if lines:
                yield start, _join(lines)
            lines, start = [], number + 1
        elif start:
            lines.append(_QUOTED_FROM.sub(lambda m: m.group(0)[1:], line))
        previous_blank = not line.strip()
    if lines:
        yield start, _join(lines)


def _join(lines: list[bytes]) -> bytes:
    body = b"".join(lines)
    return body[:-1] if body.endswith(b"\n\n") else body  # the separator blank line


class MboxImporter:
    """Reads mbox files (mboxrd and mboxo quoting)."""

    fmt = "mbox"
    platform = "email"
    description = "an mbox mailbox (Thunderbird, Gmail Takeout, mutt)"

    def sniff(self, path: Path, head: bytes) -> bool:
        """Files named .mbox, or that start with an mbox 'From ' line."""
        return path.suffix.lower() == ".mbox" or head.startswith(b"From ")

    def read(self, source: ImportSource) -> Iterator[MessageDraft]:
        """One draft per message."""
        with source.path.open("rb") as handle:
            first = handle.read(5)
            if first and first != b"From ":
                raise Where(source.name, line=1).fail("is not an mbox: it must start with 'From '")
            handle.seek(0)
            for record, (line, raw) in enumerate(split_mbox(handle), start=1):
                draft = source.keep(partial(message_to_draft, raw,
                                            Where(source.name, line=line, record=record)))
                if draft is not None:
                    yield draft


class EmlImporter:
    """Reads one .eml file, or every .eml file in a folder (sorted by name)."""

    fmt = "eml"
    platform = "email"
    description = "an .eml message, or a folder of them"

    def sniff(self, path: Path, head: bytes) -> bool:
        """Files named .eml, or folders."""
        return path.suffix.lower() == ".eml" or path.is_dir()

    def read(self, source: ImportSource) -> Iterator[MessageDraft]:
        """One draft per file."""
        files = sorted(source.path.glob("*.eml")) if source.path.is_dir() else [source.path]
        for path in files:
            name = f"{source.name}/{path.name}" if source.path.is_dir() else source.name
            draft = source.keep(partial(message_to_draft, path.read_bytes(), Where(name)))
            if draft is not None:
                yield draft


@hookimpl
def civicshield_importers() -> list[Importer]:
    """Register the email importers."""
    return [MboxImporter(), EmlImporter()]

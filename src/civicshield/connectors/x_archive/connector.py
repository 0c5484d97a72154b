"""The X (Twitter) archive ZIP: tweets (replies included) and direct messages.

The archive's data files are JavaScript assignments (``window.YTD.tweets.part0 = [...]``); they
are streamed from the ZIP without unpacking it.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, Any, BinaryIO, cast

from civicshield.connectors.base import (
    Where,
    archive_problem,
    canonical_json,
    json_items,
    mapping,
    parse_time,
    text_field,
)
from civicshield.domain.errors import ImportFailure
from civicshield.domain.models import MessageDraft, SenderRef
from civicshield.domain.ports import Importer, ImportSource
from civicshield.hookspecs import hookimpl

TWEET_FILES = ("data/tweets.js", "data/tweet.js")
DM_FILES = ("data/direct-messages.js", "data/direct-messages-group.js")


#: The assignment an X archive data file starts with ("window.YTD.tweets.part0 = ") is short;
#: a file with no '=' in its first bytes is not one (searching on would read all of it, again
#: and again).
MAX_ASSIGNMENT_BYTES = 4096
#: Most bytes read from one archive's data files once expanded (years of posts and messages
#: are far less).
MAX_ARCHIVE_BYTES = 4 * 2**30


class _AfterAssignment(io.RawIOBase):
    """A stream over a ``.js`` data file that starts at the JSON after the first '='."""

    def __init__(self, inner: IO[bytes], name: str) -> None:
        self._inner = inner
        prefix = inner.read(MAX_ASSIGNMENT_BYTES)
        if b"=" not in prefix:
            raise ImportFailure(name, "is not an X archive data file (no 'window.YTD... =' "
                                f"in its first {MAX_ASSIGNMENT_BYTES} bytes)")
        self._pending = prefix.split(b"=", 1)[1]

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._pending or self._inner.read(len(buffer))
        self._pending = self._pending[len(buffer):]
        data = data[:len(buffer)]
        buffer[:len(data)] = data
        return len(data)


def _account(archive: zipfile.ZipFile, source: str) -> Mapping[str, Any]:
    if "data/account.js" not in archive.namelist():
        raise ImportFailure(source, "is not an X archive: data/account.js is missing")
    with archive.open("data/account.js") as raw:
        stream = cast(BinaryIO, _AfterAssignment(raw, f"{source}:data/account.js"))
        for _, item in json_items(stream, "item", f"{source}:data/account.js"):
            return mapping(mapping(item, Where(source), "item").get("account"),
                           Where(f"{source}:data/account.js", record=1), "account")
    raise ImportFailure(f"{source}:data/account.js", "names no account")


class XArchiveImporter:
    """Reads the ZIP that X's "Download an archive of your data" produces."""

    fmt = "x-archive"
    platform = "x"
    description = "the X/Twitter archive ZIP (tweets and direct messages)"

    def sniff(self, path: Path, head: bytes) -> bool:
        """ZIP files that contain data/account.js."""
        if not head.startswith(b"PK"):
            return False
        try:
            with zipfile.ZipFile(path) as archive:
                return "data/account.js" in archive.namelist()
        except zipfile.BadZipFile:
            return False

    def read(self, source: ImportSource) -> Iterator[MessageDraft]:
        """Tweets first, then direct messages."""
        try:
            archive = zipfile.ZipFile(source.path)
        except zipfile.BadZipFile as exc:
            raise ImportFailure(source.name, "is not a ZIP file") from exc
        with archive:
            wanted = [i for i in archive.infolist()
                      if i.filename in (*TWEET_FILES, *DM_FILES, "data/account.js")]
            problem = archive_problem(wanted, MAX_ARCHIVE_BYTES)
            if problem is not None:
                raise ImportFailure(source.name, problem)
            account = _account(archive, source.name)
            owner = SenderRef("x", str(account.get("accountId", "")),
                              handle="@" + str(account.get("username", "")),
                              display_name=str(account.get("accountDisplayName", "")))
            names = archive.namelist()
            for member in [m for m in TWEET_FILES if m in names]:
                yield from self._tweets(archive, member, f"{source.name}:{member}", owner)
            for member in [m for m in DM_FILES if m in names]:
                yield from self._dms(archive, member, f"{source.name}:{member}")

    def _items(self, archive: zipfile.ZipFile, member: str,
               name: str) -> Iterator[tuple[int, Any]]:
        with archive.open(member) as raw:
            yield from json_items(cast(BinaryIO, _AfterAssignment(raw, name)), "item", name)

    def _tweets(self, archive: zipfile.ZipFile, member: str, name: str,
                owner: SenderRef) -> Iterator[MessageDraft]:
        for record, item in self._items(archive, member, name):
            where = Where(name, record=record)
            tweet = mapping(mapping(item, where, "item").get("tweet"), where, "tweet")
            tweet_id = text_field(tweet, "id_str", where, required=True, label="tweet.id_str")
            reply_to = text_field(tweet, "in_reply_to_status_id_str", where)
            yield MessageDraft(
                platform="x", external_id=tweet_id, sender=owner,
                text=text_field(tweet, "full_text", where, label="tweet.full_text"),
                created_at=parse_time(tweet.get("created_at"), where, "tweet.created_at"),
                raw=canonical_json(item), kind="reply" if reply_to else "post",
                thread_id=reply_to or tweet_id, reply_to=reply_to,
                url=f"https://x.com/{owner.handle.lstrip('@')}/status/{tweet_id}")

    def _dms(self, archive: zipfile.ZipFile, member: str,
             name: str) -> Iterator[MessageDraft]:
        for record, item in self._items(archive, member, name):
            where = Where(name, record=record)
            conversation = mapping(mapping(item, where, "item").get("dmConversation"), where,
                                   "dmConversation")
            conversation_id = text_field(conversation, "conversationId", where, required=True)
            for event in conversation.get("messages") or []:
                created = mapping(event, where, "messages[]").get("messageCreate")
                if created is None:  # joins, leaves and other conversation events
                    continue
                dm = mapping(created, where, "messageCreate")
                sender_id = text_field(dm, "senderId", where, required=True,
                                       label="messageCreate.senderId")
                yield MessageDraft(
                    platform="x", external_id="dm:" + text_field(
                        dm, "id", where, required=True, label="messageCreate.id"),
                    sender=SenderRef("x", sender_id),
                    text=text_field(dm, "text", where, label="messageCreate.text"),
                    created_at=parse_time(dm.get("createdAt"), where, "messageCreate.createdAt"),
                    raw=canonical_json(event), kind="direct", thread_id=conversation_id,
                    private=True,
                    url=f"https://x.com/messages/{conversation_id}")


@hookimpl
def civicshield_importers() -> list[Importer]:
    """Register the X archive importer."""
    return [XArchiveImporter()]

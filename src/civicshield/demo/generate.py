"""Builds the demo workspace: about 2,000 messages over 90 days, written in real export formats.

``write_demo(folder)`` writes the files that ``load_demo`` imports (run ``scripts/make_demo.py``
to rebuild them); ``synthetic_records`` streams generic records for benchmarks. Both are
deterministic for a given seed.
"""

from __future__ import annotations

import csv
import io
import json
import random
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from civicshield.demo import texts

END = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)
START = END - timedelta(days=90)
MAYOR = {"slug": "mayor-marsh", "name": "Elena Marsh", "title": "Mayor of Riverton"}
PROFILE = {
    "name": "Elena Marsh", "aliases": ["Mayor Marsh", "Elena R. Marsh"],
    "home_address": "4127 Larkspur Ln Apt 2B, Riverton, CA 95820",
    "phones": ["(916) 555-0143"], "emails": ["elena.marsh.home@example.net"],
    "family": ["Daniel Marsh", "Sofia Marsh", "Leo Marsh"],
    "schools": ["Oakwood Elementary"], "vehicles": ["Blue Subaru Outback, plate 8ABC123"],
    "past_addresses": ["88 Oak St, Sacramento, CA 95814"], "usernames": ["elena.at.home"],
    "state": "CA", "role": "mayor",
}
FIRST = ("Ana", "Ben", "Carla", "Dev", "Eli", "Fatima", "Greg", "Hana", "Ivan", "Jo", "Kim",
         "Luis", "Maya", "Nate", "Olga", "Pat", "Quinn", "Rosa", "Sam", "Tariq", "Uma", "Vic",
         "Wen", "Xavier", "Yara", "Zoe")
LAST = ("Alvarez", "Brooks", "Chen", "Diaz", "Evans", "Fischer", "Garcia", "Hughes", "Ito",
        "Jensen", "Khan", "Lopez", "Moreno", "Nguyen", "Okafor", "Patel", "Quist", "Reyes",
        "Singh", "Tran", "Usman", "Vega", "Walsh", "Young")
#: How many ordinary senders each platform has, and how many background messages.
PLATFORM_VOLUME = {"email": (90, 330), "bluesky": (120, 460), "mastodon": (60, 240),
                   "x": (50, 250), "facebook": (130, 460), "webform": (70, 190)}
#: Share of background messages of each kind.
MIX = ((texts.ORDINARY, 0.66), (texts.HARSH_LAWFUL, 0.19), (texts.INSULTS, 0.04),
       (texts.SPAM, 0.04), (texts.GENDERED, 0.03), (texts.SEXUAL, 0.012),
       (texts.IDENTITY, 0.01), (texts.ONE_OFF_THREATS, 0.003), (texts.ONE_OFF_DOXXING, 0.0015))


@dataclass(frozen=True)
class Persona:
    """A fictional sender with an identity on each platform."""

    first: str
    last: str
    handle: str

    @property
    def name(self) -> str:
        """Display name."""
        return f"{self.first} {self.last}"

    @property
    def email(self) -> str:
        """Email address."""
        return f"{self.handle.replace('_', '.')}@example.org"


@dataclass
class DemoMessage:
    """One message of the demo, before it is written in its platform's format."""

    platform: str
    sender: Persona
    text: str
    at: datetime
    private: bool = False
    subject: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _fill(template: str, rng: random.Random, **extra: Any) -> str:
    return template.format(street=rng.choice(texts.STREETS), place=rng.choice(texts.PLACES),
                           day=rng.choice(texts.DAYS), event=rng.choice(texts.EVENTS), **extra)


def _pick_template(rng: random.Random) -> str:
    roll, total = rng.random(), 0.0
    for pool, share in MIX:
        total += share
        if roll < total:
            return rng.choice(pool)
    return rng.choice(texts.ORDINARY)


def _persona(rng: random.Random, n: int) -> Persona:
    first, last = rng.choice(FIRST), rng.choice(LAST)
    return Persona(first, last, f"{first.lower()}_{last.lower()}{n}")


def _at(rng: random.Random, day: float | None = None) -> datetime:
    offset = rng.uniform(0, 90) if day is None else day + rng.uniform(0.1, 0.9)
    at = START + timedelta(days=offset)
    return at.replace(hour=rng.choice(range(7, 23)), microsecond=0)


def demo_messages(seed: int = 2026) -> list[DemoMessage]:
    """Every demo message, in time order."""
    rng = random.Random(seed)
    out: list[DemoMessage] = []
    for platform, (people, volume) in PLATFORM_VOLUME.items():
        crowd = [_persona(rng, i) for i in range(people)]
        for _ in range(volume):
            out.append(DemoMessage(platform, rng.choice(crowd), _fill(_pick_template(rng), rng),
                                   _at(rng), private=platform in {"email", "webform", "x"}))
    patriot = Persona("Rick", "Dalton", "rivertonpatriot")
    out += [DemoMessage(p, patriot, _fill(t, rng), _at(rng, d), private=p != "bluesky")
            for d, p, t in texts.PATRIOT]
    tom = Persona("Tom", "Hale", "tomh_1971")
    out += [DemoMessage(p, tom, _fill(t, rng), _at(rng, d), private=p == "mastodon")
            for d, p, t in texts.TOMH]
    resident = Persona("Gary", "Voss", "g_voss")
    for i in range(36):
        stage = min(len(texts.PARKING) - 1, i * len(texts.PARKING) // 36)
        out.append(DemoMessage("webform" if i % 3 else "email", resident,
                               _fill(texts.PARKING[stage], rng, n=i + 1), _at(rng, 20 + i * 1.8),
                               private=True, subject="Parking ticket"))
    doxxer = Persona("", "", "truth_teller_rvt")
    out += [DemoMessage("mastodon", doxxer, t, _at(rng, d)) for d, t in texts.DOXXER]
    out.sort(key=lambda m: m.at)
    return out


# ---- writers, one per export format -------------------------------------------------------
def _iso(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def write_mbox(messages: list[DemoMessage], path: Path) -> None:
    """Emails as an mbox, some as multipart with an HTML part."""
    with path.open("wb") as out:
        for n, m in enumerate(messages):
            mail = EmailMessage()
            mail["From"] = f"{m.sender.name} <{m.sender.email}>" if m.sender.first else \
                m.sender.email
            mail["To"] = "Mayor Elena Marsh <mayor@riverton.example.gov>"
            mail["Subject"] = m.subject or "Message for the mayor"
            mail["Date"] = format_datetime(m.at)
            mail["Message-ID"] = f"<demo-{n}@mail.example.org>"
            mail.set_content(m.text)
            if n % 5 == 0:
                mail.add_alternative(f"<html><body><p>{m.text}</p></body></html>", subtype="html")
                mail.set_boundary(f"demo-boundary-{n}")
            body = mail.as_bytes().replace(b"\nFrom ", b"\n>From ")
            out.write(f"From {m.sender.email} {m.at:%a %b %d %H:%M:%S %Y}\n".encode())
            out.write(body.rstrip(b"\n") + b"\n\n")


def _did(p: Persona) -> str:
    return "did:plc:" + "".join(c for c in p.handle if c.isalnum())[:24].ljust(24, "x")


def write_bluesky(messages: list[DemoMessage], path: Path) -> None:
    """listNotifications JSON, with like notifications (no text) mixed in."""
    items: list[dict[str, Any]] = []
    for n, m in enumerate(messages):
        handle = f"{m.sender.handle.replace('_', '-')}.bsky.social"
        uri = f"at://{_did(m.sender)}/app.bsky.feed.post/3l{n:011d}"
        reply = n % 2 == 0
        record: dict[str, Any] = {"$type": "app.bsky.feed.post", "text": m.text,
                                  "createdAt": _iso(m.at), "langs": ["en"]}
        mayor_post = f"at://did:plc:mayormarshrivertonxxxxx/app.bsky.feed.post/3k{n % 40:011d}"
        if reply:
            record["reply"] = {"root": {"uri": mayor_post, "cid": "bafyreiroot"},
                               "parent": {"uri": mayor_post, "cid": "bafyreiparent"}}
        items.append({"uri": uri, "cid": f"bafyrei{n:020d}",
                      "author": {"did": _did(m.sender), "handle": handle,
                                 "displayName": m.sender.name if m.sender.first else "",
                                 "labels": []},
                      "reason": "reply" if reply else "mention",
                      "reasonSubject": mayor_post if reply else None, "record": record,
                      "isRead": True, "indexedAt": _iso(m.at), "labels": []})
        if n % 7 == 0:
            items.append({"uri": f"at://{_did(m.sender)}/app.bsky.feed.like/3m{n:011d}",
                          "cid": f"bafyreilike{n:014d}",
                          "author": {"did": _did(m.sender), "handle": handle},
                          "reason": "like", "reasonSubject": mayor_post,
                          "record": {"$type": "app.bsky.feed.like", "createdAt": _iso(m.at),
                                     "subject": {"uri": mayor_post, "cid": "bafyreiroot"}},
                          "isRead": True, "indexedAt": _iso(m.at), "labels": []})
    payload = {"notifications": items, "cursor": "3m000000000", "priority": False,
               "seenAt": _iso(END)}
    path.write_text(json.dumps(payload, indent=1, ensure_ascii=False), encoding="utf-8")


def write_mastodon(messages: list[DemoMessage], path: Path) -> None:
    """GET /api/v1/notifications JSON: mentions, some direct, plus favourites."""
    items = []
    for n, m in enumerate(messages):
        server = "mastodon.example" if n % 3 else "town.example"
        account = {"id": str(10_000 + _stable(m.sender.handle) % 90_000),
                   "username": m.sender.handle, "acct": f"{m.sender.handle}@{server}",
                   "display_name": m.sender.name if m.sender.first else "",
                   "url": f"https://{server}/@{m.sender.handle}", "bot": False}
        status_id = str(113_000_000_000 + n)
        items.append({
            "id": str(90_000 + n), "type": "mention", "created_at": _iso(m.at),
            "account": account,
            "status": {"id": status_id, "created_at": _iso(m.at),
                       "in_reply_to_id": None, "in_reply_to_account_id": None,
                       "sensitive": False, "spoiler_text": "",
                       "visibility": "direct" if m.private else "public", "language": "en",
                       "uri": f"https://{server}/users/{m.sender.handle}/statuses/{status_id}",
                       "url": f"https://{server}/@{m.sender.handle}/{status_id}",
                       "content": f'<p><span class="h-card"><a href="https://riverton.example/'
                                  f'@mayor" class="u-url mention">@<span>mayor</span></a></span>'
                                  f" {_html_escape(m.text)}</p>",
                       "account": account, "mentions": [], "tags": []}})
        if n % 6 == 0:
            items.append({"id": str(80_000 + n), "type": "favourite", "created_at": _iso(m.at),
                          "account": account, "status": {"id": "1", "content": "<p>x</p>"}})
    path.write_text(json.dumps(items, indent=1, ensure_ascii=False), encoding="utf-8")


def _stable(text: str) -> int:
    """A number derived from text that is the same in every process (unlike hash())."""
    return zlib.crc32(text.encode("utf-8"))


def _html_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def write_x_archive(messages: list[DemoMessage], path: Path, rng: random.Random) -> None:
    """An X archive ZIP: the mayor's account and tweets, and direct messages by conversation."""
    mayor_id = "1400000000000000001"
    account = [{"account": {"email": "mayor@riverton.example.gov", "createdVia": "web",
                            "username": "MayorMarsh", "accountId": mayor_id,
                            "createdAt": "2019-01-10T17:00:00.000Z",
                            "accountDisplayName": "Mayor Elena Marsh"}}]
    tweets = []
    for n in range(20):
        at = _at(rng)
        tweets.append({"tweet": {"id_str": str(1_800_000_000_000_000_000 + n),
                                 "full_text": _fill(rng.choice(texts.MAYOR_POSTS), rng),
                                 "created_at": at.strftime("%a %b %d %H:%M:%S +0000 %Y"),
                                 "favorite_count": str(rng.randint(0, 300)), "lang": "en",
                                 "in_reply_to_status_id_str": None}})
    conversations: dict[str, list[dict[str, Any]]] = {}
    for n, m in enumerate(messages):
        sender_id = str(1_500_000_000_000_000_000 + _stable(m.sender.handle))
        conversation = f"{mayor_id}-{sender_id}"
        conversations.setdefault(conversation, []).append({"messageCreate": {
            "recipientId": mayor_id, "reactions": [], "urls": [], "text": m.text,
            "mediaUrls": [], "senderId": sender_id, "id": str(1_700_000_000_000_000_000 + n),
            "createdAt": _iso(m.at)}})
    dms = [{"dmConversation": {"conversationId": c, "messages": list(reversed(msgs))}}
           for c, msgs in conversations.items()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, variable, data in (("account.js", "account", account),
                                     ("tweets.js", "tweets", tweets),
                                     ("direct-messages.js", "direct_messages", dms)):
            info = zipfile.ZipInfo(f"data/{name}", date_time=(2026, 11, 21, 9, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, f"window.YTD.{variable}.part0 = "
                             + json.dumps(data, indent=2, ensure_ascii=False))


def _meta_mangle(text: str) -> str:
    """Write text the way Meta's export does (UTF-8 bytes as Latin-1 escapes)."""
    return text.encode("utf-8").decode("latin-1")


def write_facebook(messages: list[DemoMessage], path: Path) -> None:
    """comments.json (comments_v2) from Facebook's Download your information."""
    items = [{"timestamp": int(m.at.timestamp()),
              "data": [{"comment": {"timestamp": int(m.at.timestamp()),
                                    "comment": _meta_mangle(m.text),
                                    "author": _meta_mangle(m.sender.name)}}],
              "title": _meta_mangle(f"{m.sender.name} commented on Mayor Elena Marsh's post.")}
             for m in messages]
    path.write_text(json.dumps({"comments_v2": items}, indent=2), encoding="utf-8")


def write_webform(messages: list[DemoMessage], path: Path) -> None:
    """The city contact form's export, in the generic CSV schema."""
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["id", "platform", "created_at", "author_id", "author_name", "subject",
                         "text", "kind", "private"])
        for n, m in enumerate(messages):
            writer.writerow([f"form-{n + 1:05d}", "webform", _iso(m.at), m.sender.email,
                             m.sender.name, m.subject or "Contact the mayor", m.text, "form",
                             "true"])


#: The demo's files: name, format, receiving account.
FILES = (
    ("email.mbox", "mbox", "mayor@riverton.example.gov"),
    ("bluesky-notifications.json", "bluesky", "@mayormarsh.bsky.social"),
    ("mastodon-notifications.json", "mastodon-notifications", "@mayor@riverton.example"),
    ("x-archive.zip", "x-archive", "@MayorMarsh"),
    ("facebook-comments.json", "facebook-comments", "Mayor Elena Marsh (page)"),
    ("contact-form.csv", "csv", "riverton.example.gov/contact"),
)


def write_demo(folder: Path, seed: int = 2026) -> int:
    """Write every demo file into ``folder``; returns the number of messages."""
    folder.mkdir(parents=True, exist_ok=True)
    messages = demo_messages(seed)
    by_platform: dict[str, list[DemoMessage]] = {}
    for m in messages:
        by_platform.setdefault(m.platform, []).append(m)
    write_mbox(by_platform["email"], folder / "email.mbox")
    write_bluesky(by_platform["bluesky"], folder / "bluesky-notifications.json")
    write_mastodon(by_platform["mastodon"], folder / "mastodon-notifications.json")
    write_x_archive(by_platform["x"], folder / "x-archive.zip", random.Random(seed + 1))
    write_facebook(by_platform["facebook"], folder / "facebook-comments.json")
    write_webform(by_platform["webform"], folder / "contact-form.csv")
    workspace = {"principal": MAYOR, "files": [list(f) for f in FILES]}
    (folder / "workspace.json").write_text(json.dumps(workspace, indent=2) + "\n", "utf-8")
    (folder / "profile.json").write_text(json.dumps(PROFILE, indent=2) + "\n", "utf-8")
    return len(messages)


def _synthetic_text(rng: random.Random, person: Persona) -> str:
    """One to three sentences of the demo's mix with a signature: nearly every text unique."""
    sentences = [_fill(_pick_template(rng), rng)]
    while len(sentences) < 3 and rng.random() < 0.45:
        sentences.append(_fill(rng.choice(texts.ORDINARY + texts.HARSH_LAWFUL), rng))
    if rng.random() < 0.6:
        sentences.append(f"{person.first} {person.last[0]}., ward {rng.randint(1, 9)}, "
                         f"resident since {rng.randint(1960, 2025)}")
    return " ".join(sentences)


def synthetic_records(count: int, seed: int = 7) -> Iterator[dict[str, Any]]:
    """Generic-schema records for benchmarks: the demo's mix, many senders, one per line."""
    rng = random.Random(seed)
    senders = [_persona(rng, i) for i in range(max(10, count // 20))]
    platforms = list(PLATFORM_VOLUME)
    for n in range(count):
        person = rng.choice(senders)
        platform = rng.choice(platforms)
        yield {"id": f"syn-{n}", "platform": platform, "created_at": _iso(_at(rng)),
               "author_id": person.handle, "author_name": person.name,
               "text": _synthetic_text(rng, person), "private": platform == "email"}


def records_to_jsonl(records: Iterator[dict[str, Any]]) -> Iterator[str]:
    """Serialise records as JSON Lines."""
    for record in records:
        yield json.dumps(record) + "\n"


def csv_text(rows: list[list[str]]) -> str:
    """Rows as CSV text (used by tests that build small files)."""
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()

"""When two messages say the same thing, and when two sender identities look like one person.

Pure functions: the queue groups near-identical messages by ``near_key``; the sender page shows
``suggest_matches`` with the reasons, and staff decide (nothing is merged automatically).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

_URL = re.compile(r"https?://[^\s<>\"')\]]+", re.IGNORECASE)
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_WORD = re.compile(r"[^\W\d_]+|\d+", re.UNICODE)
#: Words in a row that make a phrase distinctive enough to suggest one author.
PHRASE_WORDS = 6
#: A phrase written by more sender groups than this is common wording, not a fingerprint.
COMMON_PHRASE_GROUPS = 3
#: Links to these sites say nothing about who wrote them.
COMMON_HOSTS = frozenset({"x.com", "twitter.com", "facebook.com", "www.facebook.com",
                          "youtube.com", "www.youtube.com", "youtu.be", "bsky.app",
                          "instagram.com", "www.instagram.com", "google.com", "www.google.com"})


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def words(text: str) -> list[str]:
    """The text's words, case- and width-folded, numbers kept as written."""
    return _WORD.findall(_fold(_URL.sub(" ", text)))


def near_key(text: str) -> str:
    """A short key equal for messages that differ only in case, spacing, punctuation, links
    or numbers (a counter, a ticket number): the queue shows them as one row."""
    folded = " ".join("#" if w.isdigit() else w for w in words(text))
    return hashlib.blake2b(folded.encode("utf-8"), digest_size=8).hexdigest()


def links(text: str) -> set[str]:
    """The links in a text, without scheme, query or trailing punctuation, lower-cased host."""
    found = set()
    for url in _URL.findall(text):
        rest = url.split("://", 1)[1].split("?", 1)[0].split("#", 1)[0].rstrip(".,;:!")
        host, _, path = rest.partition("/")
        host = host.lower()
        if host and host not in COMMON_HOSTS:
            found.add(f"{host}/{path}".rstrip("/"))
    return found


def phrases(text: str, size: int = PHRASE_WORDS) -> set[str]:
    """Every run of ``size`` words in the text."""
    w = words(text)
    return {" ".join(w[i:i + size]) for i in range(len(w) - size + 1)}


def normal_name(name: str) -> str:
    """A display name compared across platforms: folded, single-spaced, without marks."""
    stripped = "".join(c for c in unicodedata.normalize("NFKD", name)
                       if not unicodedata.combining(c))
    return " ".join(words(stripped))


def handle_name(value: str) -> str:
    """The user-name part of a handle on any platform (``@tomh_1971@town.example``,
    ``tomh-1971.bsky.social``, ``tomh.1971@mail.example`` all give ``tomh1971``), or '' when
    it is too short to tell people apart."""
    value = value.strip().lower().lstrip("@")
    value = value.split("@", 1)[0]
    value = value.removesuffix(".bsky.social")
    folded = "".join(c for c in value if c.isalnum())
    return folded if len(folded) >= 6 else ""


def user_name_variants(value: str) -> set[str]:
    """How the user-name part of a handle may be written elsewhere (``tomh_1971``,
    ``tomh-1971``, ``tomh.1971``, ``tomh1971``), for finding candidates in the store."""
    value = value.strip().lower().lstrip("@").split("@", 1)[0].removesuffix(".bsky.social")
    if not handle_name(value):
        return set()
    parts = [p for p in re.split(r"[._-]+", value) if p]
    return {sep.join(parts) for sep in ("_", "-", ".", "")}


def email_of(value: str) -> str:
    """The email address a sender id or handle is, or ''."""
    value = value.strip().lower()
    if value.startswith("mailto:"):
        value = value[7:]
    return value if _EMAIL.match(value) else ""


@dataclass(frozen=True)
class Identity:
    """One platform identity of a sender group, as the matcher sees it."""

    sender_id: int
    group_id: int
    platform: str
    external_id: str
    handle: str = ""
    display_name: str = ""


def identity_keys(identity: Identity) -> set[str]:
    """What another identity of the same person may share with this one, as keys the store
    indexes (``email:``, ``user:``, ``name:``): the candidates ``suggest_matches`` weighs."""
    emails = {email_of(identity.external_id), email_of(identity.handle)} - {""}
    users = {handle_name(identity.handle),
             handle_name(identity.external_id) if email_of(identity.external_id) else ""} - {""}
    name = normal_name(identity.display_name)
    return ({f"email:{e}" for e in emails} | {f"user:{u}" for u in users}
            | ({f"name:{name}"} if len(name.split()) >= 2 else set()))


@dataclass(frozen=True)
class Match:
    """Another sender group that may be the same person, with every reason found."""

    group_id: int
    sender_id: int
    reasons: tuple[str, ...]
    strength: int = 0


@dataclass
class _Evidence:
    sender_id: int
    reasons: list[str] = field(default_factory=list)
    strength: int = 0


def _on(mine: str, theirs: str) -> str:
    return f"on {mine}" if mine == theirs else f"on {mine} and {theirs}"


def suggest_matches(mine: Sequence[Identity], my_texts: Iterable[str],
                    others: Sequence[Identity], other_texts: Mapping[int, Sequence[str]],
                    *, limit: int = 8) -> list[Match]:
    """Other sender groups that look like the same person as ``mine``, strongest first.

    ``others`` are candidate identities (from other groups); ``other_texts`` maps a candidate
    group to its messages' texts. Reasons: the same email address (a form's email and an email
    sender), the same display name (two words or more), the same user name (six characters or
    more, wherever it is hosted), the same distinctive phrase (``PHRASE_WORDS`` words written
    by at most ``COMMON_PHRASE_GROUPS`` groups), the same uncommon link.
    """
    if not mine:
        return []
    own_group = mine[0].group_id
    emails = {e: i for i in mine for e in (email_of(i.external_id), email_of(i.handle)) if e}
    names = {normal_name(i.display_name): i for i in mine
             if len(normal_name(i.display_name).split()) >= 2}
    handles = {h: i for i in mine for h in (handle_name(i.handle), handle_name(
        i.external_id) if email_of(i.external_id) else "") if h}
    texts = list(my_texts)
    my_phrases = set().union(*(phrases(t) for t in texts)) if texts else set()
    my_links = set().union(*(links(t) for t in texts)) if texts else set()
    found: dict[int, _Evidence] = {}

    def note(identity: Identity, reason: str, weight: int) -> None:
        evidence = found.setdefault(identity.group_id, _Evidence(identity.sender_id))
        if reason not in evidence.reasons:
            evidence.reasons.append(reason)
            evidence.strength += weight

    for other in others:
        if other.group_id == own_group:
            continue
        for email in {email_of(other.external_id), email_of(other.handle)} - {""}:
            if email in emails:
                note(other, f"the same email address ({email}) "
                            f"{_on(emails[email].platform, other.platform)}", 3)
        name = normal_name(other.display_name)
        if name in names:
            across = names[name].platform != other.platform
            note(other, f"the same name ({other.display_name.strip()}) "
                        f"{_on(names[name].platform, other.platform)}", 2 if across else 1)
        for handle in {handle_name(other.handle), handle_name(other.external_id)
                       if email_of(other.external_id) else ""} - {""}:
            if handle in handles:
                note(other, f"the same user name ({handle}) "
                            f"{_on(handles[handle].platform, other.platform)}", 2)
    by_group = {i.group_id: i for i in others if i.group_id != own_group}
    phrase_groups: dict[str, set[int]] = {}
    link_hits: dict[int, set[str]] = {}
    for group_id, group_texts in other_texts.items():
        if group_id == own_group or group_id not in by_group:
            continue
        for text in group_texts:
            for phrase in phrases(text) & my_phrases:
                phrase_groups.setdefault(phrase, set()).add(group_id)
            link_hits.setdefault(group_id, set()).update(links(text) & my_links)
    for phrase, groups in sorted(phrase_groups.items()):
        if len(groups) > COMMON_PHRASE_GROUPS:
            continue
        for group_id in groups:
            evidence = found.get(group_id)
            if evidence is None or not any(r.startswith("the same wording") for r in
                                           evidence.reasons):
                note(by_group[group_id], f"the same wording (\u201c{phrase}\u201d)", 2)
    for group_id, hits in link_hits.items():
        for link in sorted(hits)[:2]:
            note(by_group[group_id], f"the same link ({link})", 2)
    ranked = sorted(found.items(), key=lambda kv: (-kv[1].strength, kv[0]))
    return [Match(group_id, e.sender_id, tuple(e.reasons), e.strength)
            for group_id, e in ranked[:limit]]

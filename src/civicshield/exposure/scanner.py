"""Find the protected profile's identifiers in extracted documents.

``hits(matcher, doc, official=...)`` is a pure function from one document to its hits: every
variant the doxxing matcher knows (address forms, numbers in words, phone formats, plates with
spaces, names with initials), each with its text in context and a confidence. On the
official's own pages (``official=True``) private data and links to personal accounts become
``separation`` hits: the public role is leading people to the private life.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from civicshield.detectors.identifiers import IdentifierMatch, IdentifierMatcher
from civicshield.domain.profile import ProtectedProfile
from civicshield.exposure.extract import Extracted

#: Characters of context kept either side of a match.
CONTEXT = 80
#: Private kinds that must not appear on, or be linked from, the official's pages.
_PRIVATE_ON_OFFICIAL = {"home_address", "past_address", "phone", "email", "family", "school",
                        "vehicle", "username"}


@dataclass(frozen=True)
class Hit:
    """One exposure found in one document."""

    location: str
    kind: str
    confidence: float
    why: str
    context: str
    matched: str
    page_sha256: str
    detail: str = ""


def matcher_for(profile: ProtectedProfile) -> IdentifierMatcher:
    """The scanner's matcher: the doxxing matcher, plus names with initials and past
    addresses."""
    return IdentifierMatcher(profile, names=True)


def content_hash(content: bytes) -> str:
    """SHA-256 of the bytes as captured."""
    return hashlib.sha256(content).hexdigest()


def hits(matcher: IdentifierMatcher, doc: Extracted, page_sha256: str, *,
         official: bool = False) -> list[Hit]:
    """Every exposure in one document (see the module docstring)."""
    text = doc.text
    found = matcher.find(text)
    if not any(m.kind != "name" for m in found):
        found = []  # the name alone is not an exposure; beside private data it is
    out = [_hit(doc.location, text, m, page_sha256, official=official) for m in found
           if not (official and m.kind == "name")]
    if official:
        out += _linked_accounts(matcher, doc, page_sha256)
    return out


def _hit(location: str, text: str, match: IdentifierMatch, page_sha256: str, *,
         official: bool) -> Hit:
    start, end = match.span
    context = _squash(text[max(0, start - CONTEXT):start]) + " [" + _squash(text[start:end]) + \
        "] " + _squash(text[end:end + CONTEXT])
    if official and match.kind in _PRIVATE_ON_OFFICIAL:
        return Hit(location, "separation", match.confidence, f"an official page {match.why}",
                   context.strip(), text[start:end], page_sha256, detail=match.kind)
    return Hit(location, match.kind, match.confidence, match.why, context.strip(),
               text[start:end], page_sha256)


def _linked_accounts(matcher: IdentifierMatcher, doc: Extracted, page_sha256: str) -> list[Hit]:
    """Links from an official page to a personal account or a personal email address."""
    out = []
    for link in dict.fromkeys(doc.links):
        for match in matcher.find(link.removeprefix("mailto:")):
            if match.kind in ("username", "email"):
                out.append(Hit(doc.location, "separation", 0.9,
                               "an official page links to a personal account" if
                               match.kind == "username" else
                               "an official page links to a personal email address",
                               f"link: {link[:200]}", link[:300], page_sha256,
                               detail=match.kind))
                break
    return out


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text)

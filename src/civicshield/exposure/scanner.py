"""Find the protected profile's identifiers in extracted documents.

``hits(matcher, doc, official=...)`` is a pure function from one document to its hits: every
variant the doxxing matcher knows (address forms, numbers in words, phone formats, plates with
spaces, names with initials), each with its text in context and a confidence. On the
official's own pages (``official=True``) private data and links to personal accounts become
``separation`` hits: the public role is leading people to the private life.

A table row (a spreadsheet, a CSV file, an HTML or Word table) is read as one line composed by
its headers: the number, street, unit, town, state and ZIP columns in that order, as an address
is written, then the other cells; a hit names the sheet or table, the row and the columns.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from civicshield.detectors.identifiers import IdentifierMatch, IdentifierMatcher
from civicshield.domain.profile import ProtectedProfile
from civicshield.exposure.extract import Extracted, TableRow

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
    for row in doc.rows:
        out += _row_hits(matcher, doc.location, row, page_sha256, official=official)
    if official:
        out += _linked_accounts(matcher, doc, page_sha256)
    return out


#: Header words that say which part of an address a column holds.
_ROLES = (
    ("number", re.compile(r"^(?:house|street|st\.?)?\s*(?:no\.?|num(?:ber)?|#)$", re.I)),
    ("unit", re.compile(r"\b(?:unit|apt|apartment|suite|ste)\b|address\s*(?:line\s*)?2", re.I)),
    ("street", re.compile(r"\b(?:street|road|addr(?:ess)?)\b|address\s*(?:line\s*)?1", re.I)),
    ("town", re.compile(r"\b(?:city|town|municipality|village|place)\b", re.I)),
    ("state", re.compile(r"^(?:state|st|province)$", re.I)),
    ("zip", re.compile(r"\b(?:zip|postal|post\s*code|postcode)\b", re.I)),
)
_ADDRESS_ORDER = ("number", "street", "unit", "town", "state", "zip")
_JOIN = {"number": "", "street": " ", "unit": ", Unit ", "town": ", ", "state": ", ", "zip": " "}


def row_line(row: TableRow) -> tuple[str, list[tuple[int, int, str]]]:
    """A table row as one line (address columns first, as an address is written) and where
    each cell sits in it: (start, end, column label)."""
    roles: dict[str, int] = {}
    for i, cell in enumerate(row.cells):
        role = next((name for name, pattern in _ROLES if pattern.search(cell.header)), None)
        if role and role not in roles:
            roles[role] = i
    order = [roles[r] for r in _ADDRESS_ORDER if r in roles]
    order += [i for i in range(len(row.cells)) if i not in order]
    line, spans = "", []
    for position, i in enumerate(order):
        cell = row.cells[i]
        role = next((r for r, j in roles.items() if j == i), None)
        previous = order[position - 1] if position else None
        if previous is None:
            gap = ""
        elif role is not None:
            gap = _JOIN[role] or " "
        elif previous not in roles.values() and re.fullmatch(r"\d{1,6}[A-Za-z]?",
                                                              row.cells[previous].text):
            gap = " "  # no headers: a house number, then the street
        else:
            gap = " | "
        line += gap
        spans.append((len(line), len(line) + len(cell.text),
                      cell.column + (f" ({cell.header})" if cell.header else "")))
        line += cell.text
    return line, spans


def _row_hits(matcher: IdentifierMatcher, location: str, row: TableRow, page_sha256: str, *,
              official: bool) -> list[Hit]:
    line, spans = row_line(row)
    found = matcher.find(line)
    if not any(m.kind != "name" for m in found):
        return []
    out = []
    for match in found:
        if official and match.kind == "name":
            continue
        columns = [label for start, end, label in spans
                   if start < match.span[1] and match.span[0] < end]
        where = f"{row.place}, column{'s' if len(columns) > 1 else ''} {', '.join(columns)}"
        hit = _hit(location, line, match, page_sha256, official=official)
        out.append(Hit(hit.location, hit.kind, hit.confidence, f"{hit.why} ({where})",
                       hit.context, hit.matched, hit.page_sha256, hit.detail))
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

"""Contact-form exports: which column holds what, and one row as a generic record.

Offices receive mail through web forms (Google Forms, Microsoft Forms, Jotform, Typeform,
WordPress plugins such as Gravity Forms, WPForms and Contact Form 7 with Flamingo). Their
exports name columns after the form's questions, so a person maps them once per form
(``guess_mapping`` proposes; the mapping is remembered by ``headers_key``), and each row is
then read as a webform message (``form_record``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo

from dateutil import parser as dateparser

from civicshield.domain.errors import ImportFailure

#: What a form column can be, in the order the mapping page shows them, with plain names.
FIELDS = {
    "created_at": "When it was sent",
    "text": "The message",
    "author_email": "Sender's email",
    "author_name": "Sender's name",
    "subject": "Subject",
    "id": "Response number",
    "url": "Page it was sent from",
}
#: Fields that may take several columns (joined): a split name, several questions.
MULTI = frozenset({"text", "author_name"})
#: Header words that name each field in the usual exports, most telling first.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "created_at": ("submitted", "submitted at", "submitted on", "timestamp", "submission date",
                   "submit date (utc)", "submit date", "completion time", "date submitted",
                   "entry date", "date created", "created at", "created", "date", "time",
                   "start date (utc)", "start time"),
    "id": ("id", "#", "entry id", "submission id", "response id", "serial number", "token",
           "response number"),
    "author_email": ("email", "email address", "e-mail", "e-mail address", "your email",
                     "your email address", "your-email", "from", "contact email"),
    "author_name": ("name", "your name", "full name", "your-name", "name (first)",
                    "name (last)", "first name", "last name", "name first", "name last"),
    "subject": ("subject", "your-subject", "topic", "regarding", "reason for contact",
                "reason for contacting", "reason"),
    "text": ("message", "your message", "your-message", "comments", "comment", "details",
             "description", "question", "your question", "body", "feedback", "inquiry",
             "enquiry", "concern", "how can we help"),
    "url": ("source url", "page url", "referer", "referrer", "url", "embed url"),
}
#: Words inside a header (a question such as "What's your email address?") that mark a
#: field when no header is one of its usual names.
CONTAINS: dict[str, tuple[str, ...]] = {
    "created_at": ("submitted", "date", "time"),
    "author_email": ("email", "e-mail"),
    "author_name": ("name",),
    "subject": ("subject",),
    "text": ("message", "comment", "question", "concern", "feedback", "detail", "describe",
             "tell", "issue", "request"),
}


def _norm(header: str) -> str:
    return re.sub(r"[\s_]+", " ", header.strip().strip(":*?").lower()).strip()


def headers_key(headers: Sequence[str]) -> str:
    """Equal for every export of the same form (the same columns, in any order)."""
    joined = "\n".join(sorted(_norm(h) for h in headers))
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


def recognise(headers: Sequence[str]) -> str:
    """The product that wrote this export, in words, or '' when it is not a known layout."""
    names = {_norm(h) for h in headers}
    if {"start time", "completion time"} <= names:
        return "Microsoft Forms"
    if "#" in names and ({"submit date (utc)", "network id"} & names):
        return "Typeform"
    if "submission date" in names:
        return "Jotform"
    if "entry id" in names and ("source url" in names or "user ip" in names):
        return "Gravity Forms (WordPress)"
    if "entry id" in names or "entry date" in names:
        return "WPForms (WordPress)"
    if any(n.startswith("your-") for n in names):
        return "Contact Form 7 with Flamingo (WordPress)"
    if headers and _norm(headers[0]) == "timestamp":
        return "Google Forms"
    return ""


@dataclass(frozen=True)
class FormMapping:
    """Which columns hold each field; ``day_first`` for dates written 03/11/2026 = 3 Nov."""

    columns: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    day_first: bool = False

    def as_dict(self) -> dict[str, object]:
        """For storage (JSON)."""
        return {"columns": {k: list(v) for k, v in self.columns.items() if v},
                "day_first": self.day_first}

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> FormMapping:
        """From storage."""
        columns = data.get("columns", {})
        assert isinstance(columns, Mapping)
        return cls({str(k): tuple(str(c) for c in v) for k, v in columns.items()},
                   bool(data.get("day_first", False)))

    def problems(self, headers: Sequence[str]) -> list[str]:
        """What is missing or wrong, one plain line each (empty when it can be used)."""
        out = []
        known = set(headers)
        for name, cols in self.columns.items():
            if name not in FIELDS:
                out.append(f"{name!r} is not something civicshield reads from a form")
            out += [f"the file has no column {c!r}" for c in cols if c not in known]
            if len(cols) > 1 and name not in MULTI:
                out.append(f"{FIELDS.get(name, name)}: choose one column")
        for name in ("created_at", "text"):
            if not self.columns.get(name):
                out.append(f"choose the column for \u201c{FIELDS[name]}\u201d")
        return out


def parse_mapping(spec: str) -> FormMapping:
    """A mapping written on the command line: ``created_at=Submitted;text=Message;
    author_name=First+Last`` (several columns joined with ``+``; ``day_first`` alone for
    dates written day first)."""
    columns: dict[str, tuple[str, ...]] = {}
    day_first = False
    for part in (p.strip() for p in spec.split(";")):
        if not part:
            continue
        if part == "day_first":
            day_first = True
            continue
        name, sep, cols = part.partition("=")
        if not sep or name.strip() not in FIELDS:
            raise ValueError(f"{part!r}: write field=Column, the fields being "
                             f"{', '.join(FIELDS)}")
        columns[name.strip()] = tuple(c.strip() for c in cols.split("+") if c.strip())
    return FormMapping(columns, day_first)


def guess_mapping(headers: Sequence[str]) -> FormMapping:
    """The columns each field most likely is, by the usual exports' header names."""
    taken: set[str] = set()
    columns: dict[str, tuple[str, ...]] = {}
    normal = [(h, _norm(h)) for h in headers]
    for name, words in SYNONYMS.items():
        picked: list[str] = []
        for word in words:
            for header, norm in normal:
                if header not in taken and norm == word and header not in picked:
                    picked.append(header)
            if picked and name not in MULTI:
                break
        if name == "author_name" and len(picked) > 1:
            picked = [h for h in picked if _norm(h) != "name"] or picked
        if not picked and name in CONTAINS:
            picked = [h for h, n in normal if h not in taken
                      and any(w in n for w in CONTAINS[name])][:1]
        if picked:
            columns[name] = tuple(picked[:1] if name not in MULTI else picked)
            taken.update(columns[name])
    return FormMapping(columns)


_GMT = re.compile(r"\b(?:GMT|UTC)\s*([+-])(\d{1,2})(?::?(\d{2}))?\b", re.IGNORECASE)
_EMAIL_IN = re.compile(r"[^\s<>@\"',;]+@[^\s<>@\"',;]+\.[A-Za-z]{2,}")


def parse_form_time(value: str, *, zone: tzinfo, day_first: bool = False,
                    utc: bool = False) -> datetime:
    """A form export's date as aware UTC: ``GMT-5`` as five hours behind UTC (not the POSIX
    reading), a time without a zone in the office's zone (or UTC when the column says so)."""
    text = _GMT.sub(lambda m: f"{m.group(1)}{int(m.group(2)):02d}:{m.group(3) or '00'}",
                    value.strip())
    parsed = dateparser.parse(text, dayfirst=day_first)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC if utc else zone)
    return parsed.astimezone(UTC)


def form_record(row: Mapping[str, str], mapping: FormMapping, *, line: int, file: str,
                zone: tzinfo) -> dict[str, object]:
    """One export row as a generic webform record; ImportFailure names the line and column."""
    def cols(name: str) -> tuple[str, ...]:
        return tuple(mapping.columns.get(name, ()))

    def value(name: str) -> str:
        return " ".join(v for v in ((row.get(c) or "").strip() for c in cols(name)) if v)

    texts = [(c, (row.get(c) or "").strip()) for c in cols("text")]
    text = "\n".join(f"{c}: {v}" if len(texts) > 1 else v for c, v in texts if v)
    when_col = cols("created_at")[0] if cols("created_at") else ""
    raw_when = value("created_at")
    if not raw_when:
        raise ImportFailure(file, "has no date", line=line, field=when_col or "created_at")
    try:
        created = parse_form_time(raw_when, zone=zone, day_first=mapping.day_first,
                                  utc="utc" in when_col.lower())
    except (ValueError, OverflowError) as exc:
        raise ImportFailure(file, f"{raw_when[:40]!r} is not a date", line=line,
                            field=when_col) from exc
    email_text = value("author_email")
    found = _EMAIL_IN.search(email_text)
    email = found.group(0).lower() if found else ""
    name = value("author_name") or (email_text.split("<")[0].strip().strip('"') if "<" in
                                    email_text else "")
    subject = value("subject")
    if not text and not subject:
        raise ImportFailure(file, "has no message text", line=line,
                            field=(cols("text") or ("text",))[0])
    digest = hashlib.sha256("\x1f".join(f"{k}={row[k]}" for k in sorted(row) if row[k])
                            .encode("utf-8")).hexdigest()[:20]
    anonymous = "anonymous:" + hashlib.sha256(name.lower().encode()).hexdigest()[:12] \
        if name else "anonymous"
    return {"id": value("id") or f"row-{digest}", "platform": "webform", "kind": "form",
            "private": True, "created_at": created.isoformat(), "text": text,
            "subject": subject, "author_id": email or anonymous, "author_name": name,
            "url": value("url") if value("url").startswith(("https://", "http://")) else ""}

"""What every importer offers, and the small helpers they share.

An importer streams ``MessageDraft`` objects out of one file. It never holds the whole file in
memory and raises ``ImportFailure`` naming the file, line or record, and field when a record is
malformed; the caller then rolls the whole import back.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from html.parser import HTMLParser
from typing import Any, BinaryIO

import ijson
from pydantic import BaseModel, ValidationError

from civicshield.domain.errors import ImportFailure, InvalidInputError


@dataclass(frozen=True)
class Where:
    """Where in the file a record sits, for error messages."""

    source: str
    line: int | None = None
    record: int | None = None

    def fail(self, problem: str, field: str | None = None) -> ImportFailure:
        """An ImportFailure for this place."""
        return ImportFailure(self.source, problem, line=self.line, record=self.record, field=field)


def parse_time(value: Any, where: Where, field: str) -> datetime:
    """ISO 8601 text, Unix seconds, or an RFC 2822 / X-style date, as aware UTC."""
    if isinstance(value, bool) or value in (None, ""):
        raise where.fail("a date and time is required", field)
    if isinstance(value, int | float):
        try:
            return datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError) as exc:
            raise where.fail(f"not a valid Unix time: {value!r}", field) from exc
    if not isinstance(value, str):
        raise where.fail(f"not a date: {value!r}", field)
    text = value.strip()
    if text.isdigit():
        return parse_time(int(text), where, field)
    for parse in (_iso, _x_style):
        parsed = parse(text)
        if parsed is not None:
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    raise where.fail(f"not a date: {value[:40]!r} (expected ISO 8601 such as "
                     "2026-03-01T14:05:00Z)", field)


def _iso(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None


def _x_style(text: str) -> datetime | None:
    try:
        return datetime.strptime(text, "%a %b %d %H:%M:%S %z %Y")
    except ValueError:
        return None


def text_field(data: Mapping[str, Any], key: str, where: Where, *, required: bool = False,
               label: str | None = None) -> str:
    """A text value (numbers are accepted as their text), or '' when optional and absent."""
    value = data.get(key)
    name = label or key
    if value is None or value == "":
        if required:
            raise where.fail("is required but missing or empty", name)
        return ""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise where.fail(f"must be text, not {type(value).__name__}", name)
    return str(value)


def mapping(value: Any, where: Where, field: str) -> Mapping[str, Any]:
    """Insist that a value is a JSON object."""
    if not isinstance(value, Mapping):
        raise where.fail("must be a JSON object", field)
    return value


def canonical_json(value: Any) -> bytes:
    """A record streamed out of a larger JSON document, serialised the same way every time."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                      default=str).encode("utf-8")


def digest(*parts: str) -> str:
    """A stable id for records that carry none."""
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:32]


_BLOCKS = frozenset({"p", "div", "li", "tr", "h1", "h2", "h3", "br"})
_HIDDEN = frozenset({"script", "style", "head"})


class _TextCollector(HTMLParser):
    """Text and line breaks from HTML events, in one pass: no tree is built, so time and memory
    grow with the size of the document, not with how deeply it nests (20,000 nested divs took a
    minute in a tree builder)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN:
            self.hidden += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN:
            self.hidden = max(0, self.hidden - 1)
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """Readable text from an HTML fragment (Mastodon content, HTML email)."""
    collector = _TextCollector()
    collector.feed(html)
    collector.close()
    lines = (line.strip() for line in "".join(collector.parts).splitlines())
    return "\n".join(line for line in lines if line)


#: No platform's export nests this deep; a document that does is hostile.
MAX_JSON_DEPTH = 64
_STARTS = frozenset({"start_map", "start_array"})
_ENDS = frozenset({"end_map", "end_array"})


class _TooDeepError(ValueError):
    """A JSON document nested more than MAX_JSON_DEPTH levels."""


def _events(handle: BinaryIO) -> Iterator[tuple[str, str, Any]]:
    """ijson's (prefix, event, value) events, with prefixes kept here. ijson's own prefixed
    parser builds every event's prefix for a whole buffer at once, which for a deeply nested
    document costs memory in the square of the depth (40,000 levels took gigabytes); here the
    depth is refused at MAX_JSON_DEPTH before any prefix grows long."""
    path: list[str] = []
    for event, value in ijson.basic_parse(handle, use_float=True):
        if event == "map_key":
            yield ".".join(path[:-1]), event, value
            path[-1] = str(value)
            continue
        if event in _ENDS:
            path.pop()
            yield ".".join(path), event, value
            continue
        yield ".".join(path), event, value
        if event in _STARTS:
            if len(path) >= MAX_JSON_DEPTH:
                raise _TooDeepError
            path.append("item" if event == "start_array" else "")


def json_items(handle: BinaryIO, prefix: str, source: str) -> Iterator[tuple[int, Any]]:
    """Stream the items under ``prefix`` of a JSON document, numbered from 1; a document
    nested more than MAX_JSON_DEPTH levels, or holding a number Python refuses to read, is
    refused in one line naming the record."""
    count = 0
    builder: Any = None
    depth = start_depth = 0
    try:
        for path, event, value in _events(handle):
            depth += event in _STARTS
            if builder is not None:
                builder.event(event, value)
                if event in _ENDS and depth == start_depth:
                    count += 1
                    yield count, builder.value
                    builder = None
            elif path == prefix and event in _STARTS:
                builder, start_depth = ijson.ObjectBuilder(), depth
                builder.event(event, value)
            elif path == prefix and event not in _ENDS and event != "map_key":
                count += 1
                yield count, value
            depth -= event in _ENDS
    except ijson.JSONError as exc:
        raise ImportFailure(source, f"not valid JSON after record {count}: {exc}",
                            record=count + 1) from exc
    except _TooDeepError as exc:
        raise ImportFailure(source, f"nested more than {MAX_JSON_DEPTH} levels deep (no "
                            "export is); not read", record=count + 1) from exc
    except ValueError as exc:  # e.g. a number of more than 4,300 digits
        raise ImportFailure(source, f"a value Python cannot read after record {count}: "
                            f"{str(exc)[:120]}", record=count + 1) from exc


def find_top_key(handle: BinaryIO, wanted: frozenset[str]) -> tuple[str, str | None]:
    """The top-level JSON type ('map', 'array', 'scalar' or 'invalid') and, for a map, the
    first top-level key among ``wanted`` (reading no further than that key)."""
    kind = ""
    try:
        for prefix, event, value in _events(handle):
            if not kind:
                kind = {"start_map": "map", "start_array": "array"}.get(event, "scalar")
                if kind != "map":
                    return kind, None
            elif prefix == "" and event == "map_key" and value in wanted:
                return kind, str(value)
    except (ijson.JSONError, ValueError):
        return "invalid", None
    return kind or "invalid", None


def head_is_json(head: bytes) -> bool:
    """True when the first bytes look like a JSON document."""
    return head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] in (b"{", b"[")


def validated(model: type[BaseModel], config: Mapping[str, Any]) -> BaseModel:
    """The settings, or InvalidInputError naming the first field that is wrong."""
    try:
        return model.model_validate(dict(config))
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "settings"
        raise InvalidInputError(f"field '{field}': {first['msg']}") from exc


#: A large member (over BOMB_BYTES once expanded) that expands more than MAX_EXPANSION times is a
#: compression bomb, not a document.
MAX_EXPANSION = 200
BOMB_BYTES = 32 * 2**20


def archive_problem(members: Iterable[zipfile.ZipInfo], max_bytes: int) -> str | None:
    """Why a ZIP's members must not be opened (too large once expanded, or expanding like a
    compression bomb), or None when they may be; read from the ZIP's directory, before any
    member is expanded."""
    total = 0
    for info in members:
        total += info.file_size
        if info.file_size > BOMB_BYTES and info.file_size > MAX_EXPANSION * max(
                1, info.compress_size):
            return (f"{info.filename} would expand {info.file_size // max(1, info.compress_size)}"
                    f" times (a compression bomb); not opened")
    if total > max_bytes:
        return (f"its contents would take {total // 2**20} MB once expanded, more than the "
                f"{max_bytes // 2**20} MB read from one file; not opened")
    return None

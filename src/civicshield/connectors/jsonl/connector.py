"""JSON Lines: one message per line in the generic schema (see connectors/generic.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import partial
from pathlib import Path

from civicshield.connectors.base import Where
from civicshield.connectors.generic import draft_from_record
from civicshield.domain.models import MessageDraft
from civicshield.domain.ports import Importer, ImportSource
from civicshield.hookspecs import hookimpl


class JsonlImporter:
    """Reads ``.jsonl`` files line by line."""

    fmt = "jsonl"
    platform = "other"
    description = "JSON Lines in civicshield's generic schema"

    def sniff(self, path: Path, head: bytes) -> bool:
        """Files named .jsonl or .ndjson."""
        return path.suffix.lower() in {".jsonl", ".ndjson"}

    def read(self, source: ImportSource) -> Iterator[MessageDraft]:
        """One draft per non-blank line."""
        with source.path.open("rb") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                where = Where(source.name, line=number)
                draft = source.keep(partial(_line, line, where))
                if draft is not None:
                    yield draft


def _line(line: bytes, where: Where) -> MessageDraft:
    """One JSON Lines record as a draft; ImportFailure naming the line otherwise."""
    try:
        data = json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise where.fail(f"not valid JSON ({exc})") from exc
    except RecursionError as exc:
        raise where.fail("nested too deep to be a message record; not read") from exc
    except ValueError as exc:  # a number of more than 4,300 digits
        raise where.fail(f"holds a value Python cannot read ({str(exc)[:120]})") from exc
    if not isinstance(data, dict):
        raise where.fail("each line must be a JSON object")
    return draft_from_record(data, where, line.rstrip(b"\r\n"))

@hookimpl
def civicshield_importers() -> list[Importer]:
    """Register the JSONL importer."""
    return [JsonlImporter()]

"""CSV: one message per row with a header row naming the generic schema's fields."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from civicshield.connectors.base import Where
from civicshield.connectors.generic import OPTIONAL, REQUIRED, draft_from_record
from civicshield.domain.errors import ImportFailure
from civicshield.domain.models import MessageDraft
from civicshield.domain.ports import Importer, ImportSource
from civicshield.hookspecs import hookimpl


class CsvImporter:
    """Reads ``.csv`` files row by row (UTF-8, with or without a byte-order mark)."""

    fmt = "csv"
    platform = "other"
    description = "CSV in civicshield's generic schema (a header row is required)"

    def sniff(self, path: Path, head: bytes) -> bool:
        """Files named .csv."""
        return path.suffix.lower() == ".csv"

    def read(self, source: ImportSource) -> Iterator[MessageDraft]:
        """One draft per row; the raw payload is the row as CSV."""
        with source.path.open("r", encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle, restkey="__extra__")
            try:
                self._check_header(reader.fieldnames, source.name)  # reads the first 8 KB
                for row in reader:
                    where = Where(source.name, line=reader.line_num)
                    if all(not (v or "").strip() for v in row.values() if isinstance(v, str)):
                        continue
                    draft = source.keep(partial(_row, row, where, reader.fieldnames or []))
                    if draft is not None:
                        yield draft
            except UnicodeDecodeError as exc:
                raise ImportFailure(source.name, "is not UTF-8 text", line=reader.line_num + 1
                                    ) from exc
            except csv.Error as exc:
                raise ImportFailure(source.name, f"is not valid CSV: {exc}",
                                    line=reader.line_num) from exc

    @staticmethod
    def _check_header(fieldnames: Sequence[str] | None, name: str) -> None:
        if not fieldnames:
            raise ImportFailure(name, "is empty; a header row is required", line=1)
        missing = [c for c in REQUIRED if c not in fieldnames]
        unknown = [c for c in fieldnames if c not in REQUIRED + OPTIONAL]
        if missing or unknown:
            parts = ([f"lacks the columns {', '.join(missing)}"] if missing else []) + \
                ([f"has columns civicshield does not know ({', '.join(unknown[:8])})"]
                 if unknown else [])
            raise ImportFailure(name, f"is not in civicshield's CSV schema: the header "
                                f"{' and '.join(parts)}. A contact-form export? Map its "
                                "columns on the dashboard's Import page, or with --map", line=1,
                                field=(missing or unknown)[0])


def _row_bytes(fieldnames: Sequence[str], row: dict[str, str]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="").writerow([row.get(name) or "" for name in fieldnames])
    return out.getvalue().encode("utf-8")


def _row(row: dict[str, Any], where: Where, header: Sequence[str]) -> MessageDraft:
    """One CSV row as a draft; ImportFailure naming the line otherwise."""
    if "__extra__" in row:
        raise where.fail("has more values than the header has columns")
    return draft_from_record(row, where, _row_bytes(header, row))


@hookimpl
def civicshield_importers() -> list[Importer]:
    """Register the CSV importer."""
    return [CsvImporter()]

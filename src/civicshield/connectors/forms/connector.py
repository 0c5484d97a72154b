"""Form exports: a CSV (comma, semicolon or tab; UTF-8 or UTF-16) or an Excel workbook whose
columns a person mapped (domain.forms), one webform message per row."""

from __future__ import annotations

import codecs
import csv
import json
from collections.abc import Iterator
from datetime import date, datetime, time
from functools import partial
from pathlib import Path
from typing import IO, Any

from civicshield.connectors.base import Where
from civicshield.connectors.generic import draft_from_record
from civicshield.domain.errors import ImportFailure
from civicshield.domain.forms import form_record
from civicshield.domain.models import MessageDraft
from civicshield.domain.ports import Importer, ImportSource
from civicshield.hookspecs import hookimpl

#: The most columns and the longest cell read from a form export.
MAX_COLUMNS = 500
MAX_CELL = 100_000
_EXCEL = (".xlsx", ".xlsm")
#: File kinds that are tables: a form export, or the generic CSV schema.
TABLES = frozenset({".csv", ".tsv", *_EXCEL})


def _open_text(path: Path) -> IO[str]:
    head = path.open("rb").read(4)
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return path.open("r", encoding="utf-16", newline="")
    return path.open("r", encoding="utf-8-sig", newline="")


def _dialect(sample: str) -> type[csv.Dialect] | csv.Dialect:
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        return csv.excel


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)[:MAX_CELL]


def read_table(path: Path, name: str) -> Iterator[tuple[int, list[str]]]:
    """Every row of a CSV or the first sheet of a workbook as (line, cells), the header row
    first; ImportFailure names the file and line of what cannot be read."""
    if path.suffix.lower() in _EXCEL:
        yield from _read_workbook(path, name)
        return
    line = 1
    try:
        with _open_text(path) as handle:
            sample = handle.read(8192)
            handle.seek(0)
            reader = csv.reader(handle, _dialect(sample))
            for cells in reader:
                line = reader.line_num
                if len(cells) > MAX_COLUMNS:
                    raise ImportFailure(name, f"has more than {MAX_COLUMNS} columns", line=line)
                yield line, [c[:MAX_CELL] for c in cells]
    except UnicodeError as exc:
        raise ImportFailure(name, "is not UTF-8 or UTF-16 text; save it as \u201cCSV UTF-8\u201d",
                            line=line + 1) from exc
    except csv.Error as exc:
        raise ImportFailure(name, f"is not valid CSV: {exc}", line=line) from exc


def _read_workbook(path: Path, name: str) -> Iterator[tuple[int, list[str]]]:
    import zipfile

    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ImportFailure(name, "is not an Excel workbook civicshield can read") from exc
    try:
        sheet = book.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if len(values) > MAX_COLUMNS:
                raise ImportFailure(name, f"has more than {MAX_COLUMNS} columns", line=number)
            yield number, [_cell(v) for v in values]
    finally:
        book.close()


def table_head(path: Path, name: str, rows: int = 5) -> tuple[list[str], list[list[str]]]:
    """The header row and the first ``rows`` rows with any text, to show on the mapping page."""
    table = read_table(path, name)
    first = next(table, None)
    if first is None or not any(c.strip() for c in first[1]):
        raise ImportFailure(name, "is empty; a header row is required", line=1)
    headers = [h.strip() for h in first[1]]
    while headers and not headers[-1]:
        headers.pop()
    out: list[list[str]] = []
    for _, cells in table:
        if any(c.strip() for c in cells):
            out.append((cells + [""] * len(headers))[:len(headers)])
        if len(out) == rows:
            break
    return headers, out


class FormExportImporter:
    """Reads a mapped form export; chosen by the dashboard's mapping step or ``--map``."""

    fmt = "form"
    platform = "webform"
    description = ("a contact-form export (CSV or Excel: Google Forms, Microsoft Forms, "
                   "Jotform, Typeform, WordPress) read through a column mapping")

    def sniff(self, path: Path, head: bytes) -> bool:
        """Never guessed: a form export needs its mapping first."""
        return False

    def read(self, source: ImportSource) -> Iterator[MessageDraft]:
        """One webform draft per row with any text."""
        if source.mapping is None:
            raise ImportFailure(source.name, "needs a column mapping (map the columns on the "
                                "dashboard's Import page, or give --map)")
        table = read_table(source.path, source.name)
        first = next(table, None)
        if first is None:
            raise ImportFailure(source.name, "is empty; a header row is required", line=1)
        headers = [h.strip() for h in first[1]]
        problems = source.mapping.problems(headers)
        if problems:
            raise ImportFailure(source.name, "; ".join(problems), line=1)
        for line, cells in table:
            if not any(c.strip() for c in cells):
                continue
            row = dict(zip(headers, cells, strict=False))
            draft = source.keep(partial(self._draft, row, source, line))
            if draft is not None:
                yield draft

    @staticmethod
    def _draft(row: dict[str, str], source: ImportSource, line: int) -> MessageDraft:
        assert source.mapping is not None
        record = form_record(row, source.mapping, line=line, file=source.name,
                             zone=source.zone)
        raw = json.dumps(row, ensure_ascii=False).encode("utf-8")
        return draft_from_record(record, Where(source.name, line=line), raw)


@hookimpl
def civicshield_importers() -> list[Importer]:
    """Register the form-export importer."""
    return [FormExportImporter()]

"""Cells for CSV files that people open in spreadsheets: text that starts like a formula is
kept as text (a leading apostrophe), so a message cannot run a formula on the reader's machine."""

from __future__ import annotations

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralise(value: str) -> str:
    """The cell as text that no spreadsheet reads as a formula."""
    return "'" + value if value.startswith(_FORMULA_STARTS) else value

"""The exposure scanner on a table of variants and decoys around one fictional official (812 Old
Mill Road, Apt 3-C, Fairhaven, MA 02719): every variant found as its kind, no decoy found; and
addresses split across the cells of spreadsheet, CSV, HTML and Word table rows. `make eval`
reports precision and recall on the same cases."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from civicshield.domain.profile import ProtectedProfile
from civicshield.exposure.extract import Extracted, extract
from civicshield.exposure.scanner import Hit, hits, matcher_for
from tests.exposure.fixtures import xlsx_bytes

DATA = json.loads((Path(__file__).parent / "cases" / "variants_and_decoys.json").read_text())
PROFILE = ProtectedProfile.from_dict(DATA["profile"])
MATCHER = matcher_for(PROFILE)
VARIANTS = [(c["text"], c["kind"]) for c in DATA["cases"] if c["exposed"]]
DECOYS = [c["text"] for c in DATA["cases"] if not c["exposed"]]


def _hits(text: str) -> list[Hit]:
    return hits(MATCHER, Extracted("case", [text]), "0")


@pytest.mark.parametrize(("text", "kind"), VARIANTS)
def test_every_variant_is_found_as_its_kind(text: str, kind: str) -> None:
    assert kind in {h.kind for h in _hits(text)}


@pytest.mark.parametrize("text", DECOYS)
def test_no_decoy_is_found(text: str) -> None:
    assert _hits(text) == []


def test_the_suites_are_big_enough() -> None:
    assert len(DECOYS) >= 60 and len(VARIANTS) >= 30


@pytest.mark.parametrize(("text", "covered", "parts"), [
    ("Her apartment is 812 Old Mill Road, apartment 3-C.", "812 Old Mill Road, apartment 3-C",
     "number, street and unit"),
    ("812 Old Mill Rd, Apt 3-C, Fairhaven MA 02719", "812 Old Mill Rd, Apt 3-C, Fairhaven MA 02719",
     "number, street, unit, town and ZIP"),
    ("Nora Whitcomb, 812 Old Mill Road, Fairhaven", "812 Old Mill Road, Fairhaven",
     "number, street and town"),
    ("812 Old Mill Road", "812 Old Mill Road", "number and street"),
])
def test_the_span_takes_in_the_unit_and_the_reason_names_what_matched(text: str, covered: str,
                                                                       parts: str) -> None:
    (hit,) = [h for h in _hits(text) if h.kind == "home_address"]
    assert hit.matched == covered
    assert hit.why == f"reveals the official's home address ({parts} match)"


def test_another_apartment_in_the_same_building_is_a_neighbour() -> None:
    assert _hits("812 Old Mill Road, Apt 5-A, Fairhaven") == []


ROWS = [["Name", "No.", "Street", "Unit", "Town", "State", "ZIP"],
        ["Nora Whitcomb", "812", "Old Mill Road", "3-C", "Fairhaven", "MA", "02719"],
        ["R. Alvarez", "810", "Old Mill Road", "", "Fairhaven", "MA", "02719"],
        ["J. Pereira", "812", "Old Mill Road", "", "Westport", "MA", "02790"]]


def _xlsx() -> bytes:
    return xlsx_bytes(ROWS, "Permit applicants")


def _csv() -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(ROWS)
    return out.getvalue().encode()


def _html() -> bytes:
    head = "".join(f"<th>{h}</th>" for h in ROWS[0])
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in ROWS[1:])
    return (f"<html><body><p>Applicants</p><table><tr>{head}</tr>{body}</table>"
            "</body></html>").encode()


def _docx() -> bytes:
    import docx

    document = docx.Document()
    table = document.add_table(rows=len(ROWS), cols=len(ROWS[0]))
    for r, row in enumerate(ROWS):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.mark.parametrize(("name", "make", "where"), [
    ("applicants.xlsx", _xlsx, "sheet Permit applicants, row 2, columns B (No.), C (Street), "
                               "D (Unit), E (Town), F (State), G (ZIP)"),
    ("applicants.csv", _csv, "row 2, columns 2 (No.), 3 (Street), 4 (Unit), 5 (Town), 6 (State), "
                             "7 (ZIP)"),
    ("applicants.html", _html, "table 1, row 2, columns 2 (No.), 3 (Street), 4 (Unit), 5 (Town), "
                               "6 (State), 7 (ZIP)"),
    ("applicants.docx", _docx, "table 1, row 2, columns 2 (No.), 3 (Street), 4 (Unit), 5 (Town), "
                               "6 (State), 7 (ZIP)"),
])
def test_an_address_split_across_cells_is_found_and_placed(name: str, make: object,
                                                           where: str) -> None:
    doc = extract(name, make())  # type: ignore[operator]
    found = hits(MATCHER, doc, "0")
    homes = [h for h in found if h.kind == "home_address"]
    assert [h.why for h in homes] == [
        f"reveals the official's home address (number, street, unit, town and ZIP match) "
        f"({where})"]
    assert homes[0].matched == "812 Old Mill Road, Unit 3-C, Fairhaven, MA 02719"
    assert {h.kind for h in found} == {"home_address", "name"}  # the neighbours stay unflagged


@pytest.mark.parametrize(("row", "home"), [
    (["812", "Old Mill Road", "Fairhaven", "MA", "02719"], True),
    (["Nora Whitcomb", "812", "Old Mill Rd", "Apt 3-C"], True),
    (["812", "Old Mill Road", "Westport", "MA", "02790"], False),
    (["812", "Old Mill Road", "Acushnet", "MA"], False),
    (["810", "Old Mill Road", "Fairhaven", "MA", "02719"], False),
])
def test_rows_without_headers_are_read_as_written(row: list[str], home: bool) -> None:
    out = io.StringIO()
    csv.writer(out).writerow(row)
    found = hits(MATCHER, extract("list.csv", out.getvalue().encode()), "0")
    assert ("home_address" in {h.kind for h in found}) is home

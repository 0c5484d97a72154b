"""Contact-form exports: each product's layout recognised, its columns guessed, its rows read
as webform messages in the office's time zone, and mistakes named by line and column."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook

from civicshield.connectors.forms.connector import FormExportImporter, table_head
from civicshield.domain.errors import ImportFailure
from civicshield.domain.forms import (
    FormMapping,
    guess_mapping,
    headers_key,
    parse_form_time,
    recognise,
)
from civicshield.domain.ports import ImportSource
from tests.conftest import SAMPLES

FORMS = SAMPLES / "forms"
NEW_YORK = ZoneInfo("America/New_York")


def microsoft_forms(path: Path) -> Path:
    """A workbook in Microsoft Forms' export layout (times are Excel dates)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["ID", "Start time", "Completion time", "Email", "Name", "Last modified time",
                  "Your message"])
    sheet.append([1, datetime(2026, 11, 3, 14, 3), datetime(2026, 11, 3, 14, 5, 22),
                  "ann.lee@example.org", "Ann Lee", None,
                  "The crosswalk on Elm Street needs a light."])
    sheet.append([2, datetime(2026, 11, 4, 9, 28), datetime(2026, 11, 4, 9, 30),
                  "g.voss@example.org", "Gary Voss", None, "You will regret ignoring me."])
    book.save(path)
    return path


def read(path: Path, mapping: FormMapping | None = None) -> list:  # type: ignore[type-arg]
    headers, _ = table_head(path, path.name)
    source = ImportSource(path=path, name=path.name, mapping=mapping or guess_mapping(headers),
                          zone=NEW_YORK)
    return list(FormExportImporter().read(source))


@pytest.mark.parametrize(("name", "product", "first_utc"), [
    ("google-forms.csv", "Google Forms", datetime(2026, 11, 3, 19, 14, 5, tzinfo=UTC)),
    ("jotform.csv", "Jotform", datetime(2026, 11, 3, 19, 5, 22, tzinfo=UTC)),
    ("typeform.csv", "Typeform", datetime(2026, 11, 3, 19, 5, 22, tzinfo=UTC)),
    ("gravity-forms.csv", "Gravity Forms (WordPress)", datetime(2026, 11, 4, 0, 5, 22,
                                                                tzinfo=UTC)),
    ("wpforms.csv", "WPForms (WordPress)", datetime(2026, 11, 3, 19, 5, tzinfo=UTC)),
    ("contact-form-7-flamingo.csv", "Contact Form 7 with Flamingo (WordPress)",
     datetime(2026, 11, 3, 19, 5, tzinfo=UTC)),
    ("city-contact-form.csv", "", datetime(2026, 11, 3, 19, 5, tzinfo=UTC)),
    ("microsoft-forms.xlsx", "Microsoft Forms", datetime(2026, 11, 3, 19, 5, 22, tzinfo=UTC)),
])
def test_each_usual_export_is_read_with_the_guessed_mapping(
        name: str, product: str, first_utc: datetime, tmp_path: Path) -> None:
    path = microsoft_forms(tmp_path / name) if name.endswith(".xlsx") else FORMS / name
    headers, rows = table_head(path, name)
    assert recognise(headers) == product
    assert len(rows) == 2
    drafts = read(path)
    assert [d.sender.display_name for d in drafts] == ["Ann Lee", "Gary Voss"]
    assert [d.sender.external_id for d in drafts] == ["ann.lee@example.org",
                                                      "g.voss@example.org"]
    first = drafts[0]
    assert "crosswalk on Elm Street" in first.text
    assert first.platform == "webform" and first.kind == "form" and first.private
    assert first.created_at == first_utc  # no zone written: the office's (New York, EST)
    assert read(path)[0].external_id == first.external_id  # the same id every time


def test_gravity_forms_split_name_and_source_page() -> None:
    mapping = guess_mapping(table_head(FORMS / "gravity-forms.csv", "g")[0])
    assert mapping.columns["author_name"] == ("Name (First)", "Name (Last)")
    assert mapping.columns["id"] == ("Entry Id",)
    first = read(FORMS / "gravity-forms.csv")[0]
    assert first.external_id == "101" and first.url == "https://riverton.example.gov/contact/"


def test_several_question_columns_become_one_text_with_their_questions(
        tmp_path: Path) -> None:
    path = tmp_path / "survey.csv"
    path.write_text("Timestamp,Email Address,Where did it happen?,What happened?\n"
                    "2026-11-03 10:00,ann@example.org,Elm Street,He followed me to my car\n",
                    encoding="utf-8")
    mapping = FormMapping({"created_at": ("Timestamp",), "author_email": ("Email Address",),
                           "text": ("Where did it happen?", "What happened?")})
    [draft] = read(path, mapping)
    assert draft.text == ("Where did it happen?: Elm Street\n"
                          "What happened?: He followed me to my car")


def test_a_bad_date_names_the_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "contact.csv"
    path.write_text("Submitted,Name,Email,Message\n2026-11-03 14:05,Ann,a@b.org,hi\n"
                    "next tuesday-ish,Bo,b@b.org,hello\n", encoding="utf-8")
    with pytest.raises(ImportFailure) as caught:
        read(path)
    assert caught.value.line == 3 and caught.value.field == "Submitted"
    assert "is not a date" in caught.value.describe()


def test_a_mapping_that_names_a_missing_column_is_refused_in_words(tmp_path: Path) -> None:
    mapping = FormMapping({"created_at": ("Sent",), "text": ()})
    problems = mapping.problems(["Submitted", "Message"])
    assert problems == ["the file has no column 'Sent'",
                        "choose the column for \u201cThe message\u201d"]
    with pytest.raises(ImportFailure, match="no column 'Sent'"):
        read(FORMS / "city-contact-form.csv", mapping)


def test_dates_read_as_people_write_them() -> None:
    utc = ZoneInfo("UTC")
    assert parse_form_time("2026/11/03 2:14:05 PM GMT-5", zone=utc) == datetime(
        2026, 11, 3, 19, 14, 5, tzinfo=UTC)  # not the POSIX reading (+5)
    assert parse_form_time("03/11/2026 10:00", zone=utc, day_first=True).month == 11
    assert parse_form_time("03/11/2026 10:00", zone=utc).month == 3
    assert parse_form_time("2026-11-03 10:00", zone=NEW_YORK, utc=True).hour == 10


def test_the_same_form_is_known_again_whatever_the_column_order() -> None:
    assert headers_key(["Email", "Name", "Message"]) == headers_key(["message", "Name ",
                                                                     "EMAIL"])
    assert headers_key(["Email", "Name"]) != headers_key(["Email", "Name", "Message"])


def test_semicolon_csv_and_utf16_are_read(tmp_path: Path) -> None:
    semi = tmp_path / "export.csv"
    semi.write_text("Submitted;Name;Email;Message\n2026-11-03 14:05;Ann;a@b.org;hi there\n",
                    encoding="utf-8")
    assert read(semi)[0].text == "hi there"
    wide = tmp_path / "wide.csv"
    wide.write_text("Submitted,Name,Email,Message\n2026-11-03 14:05,Ann,a@b.org,hi\n",
                    encoding="utf-16")
    assert read(wide)[0].sender.display_name == "Ann"


def test_an_empty_or_unreadable_file_gets_one_line(tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(ImportFailure, match="empty"):
        table_head(empty, "empty.csv")
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(ImportFailure, match="not an Excel workbook"):
        table_head(broken, "broken.xlsx")

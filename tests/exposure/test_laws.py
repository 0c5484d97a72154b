"""The statute table and the choice of law: table-driven by state, office and data."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from civicshield.domain.errors import ConfigError
from civicshield.domain.exposure import due_date
from civicshield.domain.laws import Deadline, bases_for, load_statutes, statutes

TABLE = statutes()


@pytest.mark.parametrize(("state", "role", "kind", "addressee", "broker", "first"), [
    ("CA", "mayor", "home_address", "business", False, "ca-7928-215"),
    ("CA", "council_member", "phone", "broker", True, "ca-7928-215"),
    ("CA", "mayor", "home_address", "agency", False, "ca-7928-205"),
    ("CA", "mayor", "email", "broker", True, "broker-optout"),  # 7928.215 covers address, phone
    ("CA", "mayor", "email", "business", False, "ca-ccpa-delete"),
    ("IL", "mayor", "home_address", "business", False, "general"),  # mayors are not covered
    ("IL", "legislator", "home_address", "broker", True, "il-5-ilcs-347"),
    ("LA", "legislator", "vehicle", "business", False, "la-44-11-2"),
    ("LA", "mayor", "home_address", "broker", True, "broker-optout"),
    ("HI", "statewide_official", "phone", "business", False, "hi-hb-1916"),
    ("NJ", "mayor", "home_address", "business", False, "general"),
    ("NJ", "judge", "home_address", "business", False, "nj-daniels-law"),
    ("FL", "mayor", "home_address", "agency", False, "fl-119-071"),
    ("FL", "mayor", "home_address", "business", False, "general"),
    ("TX", "mayor", "phone", "broker", True, "broker-optout"),
    ("OR", "judge", "home_address", "business", False, "us-anderl"),  # federal judges
])
def test_the_best_fitting_law_comes_first(state: str, role: str, kind: str, addressee: str,
                                          broker: bool, first: str) -> None:
    options = bases_for(state, role, kind, addressee, broker_has_optout=broker, table=TABLE)
    assert options[0].kind == first
    assert options[-1].kind == "general"


def test_california_demand_facts() -> None:
    demand = TABLE["ca-7928-215"]
    assert str(demand.deadline) == "48 hours"
    assert demand.validity_years == 4
    assert demand.needs_threat_statement("mayor") and not demand.needs_threat_statement("judge")
    assert "city" in demand.agent
    assert not demand.unverified


def test_rows_marked_verify_stay_flagged() -> None:
    flagged = {s.id for s in TABLE.values() if s.unverified}
    assert {"hi-hb-1916", "nj-daniels-law", "mn-480-40", "us-anderl"} <= flagged
    assert all(TABLE[i].verify_note for i in flagged)


@pytest.mark.parametrize(("deadline", "sent", "due"), [
    ("48 hours", datetime(2026, 11, 20, 9, 0), datetime(2026, 11, 22, 9, 0)),
    ("3 business days", datetime(2026, 11, 20, 9, 0), datetime(2026, 11, 25, 9, 0)),  # a Friday
    ("10 business days", datetime(2026, 11, 2, 9, 0), datetime(2026, 11, 16, 9, 0)),
    ("45 days", datetime(2026, 11, 1, 9, 0), datetime(2026, 12, 16, 9, 0)),
])
def test_due_dates_follow_the_deadline(deadline: str, sent: datetime, due: datetime) -> None:
    parsed = Deadline.parse(deadline)
    assert due_date(sent.replace(tzinfo=UTC), parsed, None) == due.replace(tzinfo=UTC)


def test_without_a_deadline_the_sites_time_or_a_follow_up_applies() -> None:
    sent = datetime(2026, 11, 1, tzinfo=UTC)
    assert due_date(sent, None, 7) == datetime(2026, 11, 8, tzinfo=UTC)
    assert due_date(sent, None, None) == datetime(2026, 12, 1, tzinfo=UTC)


GOOD_ROW = """[[statute]]
id = "x"
state = "CA"
citation = "c"
title = "t"
covered_roles = ["mayor"]
data = ["home_address"]
addressees = ["business"]
deadline = "48 hours"
threat_statement_roles = []
agent = ""
validity_years = 0
status = "enacted"
verify_note = ""
sources = ["s"]
"""


@pytest.mark.parametrize(("good", "bad", "message"), [
    ('deadline = "48 hours"', 'deadline = "two days"',
     "statutes.toml, statute 1, field 'deadline': write a deadline as"),
    ('addressees = ["business"]', 'addressees = ["nobody"]',
     "statutes.toml, statute 1: field 'addressees' has 'nobody'"),
    ("validity_years = 0", 'validity_years = "four"',
     "statutes.toml, statute 1: field 'validity_years' must be int"),
    ('status = "enacted"', 'status = "maybe"',
     "statutes.toml, statute 1: field 'status' must be 'enacted' or 'verify'"),
])
def test_a_broken_table_names_the_row_and_field(tmp_path: Path, good: str, bad: str,
                                                message: str) -> None:
    path = tmp_path / "statutes.toml"
    path.write_text(GOOD_ROW.replace(good, bad))
    with pytest.raises(ConfigError) as caught:
        load_statutes(path)
    assert str(caught.value).startswith(message)
    path.write_text(GOOD_ROW)
    assert list(load_statutes(path)) == ["x"]

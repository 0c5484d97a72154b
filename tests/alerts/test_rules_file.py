"""The rules file: the built-in rules load, and every mistake is named by rule and field."""

from __future__ import annotations

import pytest

from civicshield.domain.errors import InvalidInputError
from civicshield.services.alerts.rules import default_rules_text, duration, parse_rules


def test_the_built_in_rules_load() -> None:
    ruleset = parse_rules(default_rules_text(), "built-in")
    names = [r.name for r in ruleset.rules]
    assert names[:2] == ["home-or-family-doxxing", "threat-of-violence"]
    assert not ruleset.include_message_text
    threat = ruleset.rules[1]
    assert threat.escalate_after is not None and threat.escalate_after.total_seconds() == 900


GOOD = '[[rule]]\nname = "x"\nseverity = "high"\nlabels = ["threat"]\n'


@pytest.mark.parametrize(("text", "named"), [
    (GOOD.replace('"high"', '"urgent"'), "rule 'x': field 'severity'"),
    (GOOD.replace('["threat"]', '["threats"]'), "unknown label 'threats'"),
    (GOOD + 'families = ["ninja"]\n', "unknown family 'ninja'"),
    (GOOD + 'doxxing = ["house"]\n', "unknown doxxing target 'house'"),
    (GOOD + 'channels = ["myspace"]\n', "unknown channel 'myspace'"),
    (GOOD + 'group_wait = "soon"\n', "rule 'x': field 'group_wait'"),
    (GOOD + "hours = [22, 30]\n", "field 'hours'"),
    (GOOD + 'colour = "red"\n', "rule 'x': field 'colour'"),
    (GOOD + 'group_by = ["weather"]\n', "unknown grouping 'weather'"),
    (GOOD + GOOD, "two rules are named 'x'"),
    ('[[rule]]\nname = "y"\nseverity = "low"\n', "rule 'y': set at least one of"),
    ('[[rule]]\nname = "Bad Name"\nseverity = "low"\nlabels = ["spam"]\n', "field 'name'"),
    ("[[rule]\n", "the alert rules:"),
    ('include_message_text = "maybe"\n', "field 'include_message_text'"),
])
def test_mistakes_are_named(text: str, named: str) -> None:
    with pytest.raises(InvalidInputError) as refused:
        parse_rules(text, "the alert rules")
    assert named in str(refused.value)
    assert "\n" not in str(refused.value).strip()


def test_durations() -> None:
    assert duration("90s").total_seconds() == 90
    assert duration("2d").days == 2
    with pytest.raises(ValueError, match="not a duration"):
        duration("1 week")

"""Hostile JSON is refused in one line, in bounded memory, and the store is left as it was
(issue 20, item 1: deep nesting cost memory in the square of the depth; a deep JSONL line or a
4,300-digit number gave a traceback)."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import pytest

from civicshield.app import CivicShield
from civicshield.connectors.base import MAX_JSON_DEPTH
from civicshield.domain.errors import ImportFailure
from civicshield.domain.models import User
from civicshield.domain.ports import QueueFilter
from tests.conftest import SAMPLES

DEPTH = 40_000


def _bluesky_with_nesting(path: Path) -> Path:
    document = json.loads((SAMPLES / "bluesky-notifications.json").read_text("utf-8"))
    text = json.dumps(document)
    marker = '"record": {'  # inside the first notification, after its at:// address
    assert marker in text
    deep = "[" * DEPTH + "]" * DEPTH
    path.write_text(text.replace(marker, marker + '"deep": ' + deep + ", ", 1), "utf-8")
    return path


def _refused(service: CivicShield, admin: User, path: Path) -> ImportFailure:
    with pytest.raises(ImportFailure) as caught:
        service.triage.import_file(admin, path)
    line = str(caught.value)
    assert "\n" not in line and len(line) < 300 and path.name in line
    return caught.value


def test_deeply_nested_json_is_refused_in_bounded_memory(sqlite_service: CivicShield,
                                                         admin: User, tmp_path: Path) -> None:
    path = _bluesky_with_nesting(tmp_path / "bluesky-notifications.json")
    tracemalloc.start()
    try:
        failure = _refused(sqlite_service, admin, path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert f"nested more than {MAX_JSON_DEPTH} levels" in str(failure)
    assert peak < 64 * 2**20  # 40,000 levels took gigabytes before the limit
    assert sqlite_service.triage.queue(QueueFilter(state=None))[1] == 0


@pytest.mark.parametrize(("line", "says"), [
    ('{"id": "a", "x": ' + "[" * 100_000 + "]" * 100_000 + "}", "nested too deep"),
    ('{"id": "a", "n": ' + "9" * 5000 + "}", "Python cannot read"),
])
def test_a_hostile_jsonl_line_is_named(sqlite_service: CivicShield, admin: User,
                                       tmp_path: Path, line: str, says: str) -> None:
    good = (SAMPLES / "generic.jsonl").read_text("utf-8").splitlines()[0]
    path = tmp_path / "hostile.jsonl"
    path.write_text(good + "\n" + line + "\n", encoding="utf-8")
    failure = _refused(sqlite_service, admin, path)
    assert failure.line == 2 and says in str(failure)

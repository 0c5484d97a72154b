"""The hostile corpus (scripts/hostile_corpus.py, generated here, never committed): every file
is refused with one plain line, or read, in under 10 s and 500 MB, each in its own process."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
MEMORY_MB = 500
SECONDS = 10.0


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[tuple[str, Path]]:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from hostile_corpus import write
    finally:
        sys.path.pop(0)
    folder = tmp_path_factory.mktemp("hostile")
    return [(reader, folder / name) for reader, name in write(folder)]


def test_the_corpus_covers_every_kind_of_parser(corpus: list[tuple[str, Path]]) -> None:
    readers = {reader for reader, _ in corpus}
    assert {"bluesky", "mastodon-notifications", "jsonl", "mbox", "eml", "csv", "x-archive",
            "vault", "scan"} <= readers
    assert len(corpus) >= 15


def test_every_hostile_file_is_refused_plainly_and_quickly(corpus: list[tuple[str, Path]]
                                                           ) -> None:
    slow, failed = [], []
    for reader, path in corpus:
        started = time.monotonic()
        run = subprocess.run([sys.executable, "-m", "tests.hostile_runner", reader, str(path),
                              str(MEMORY_MB)], capture_output=True, text=True, cwd=ROOT,
                             timeout=SECONDS * 6)
        seconds = time.monotonic() - started
        if run.returncode != 0:
            failed.append(f"{path.name}: exit {run.returncode}: {run.stdout[-200:]}"
                          f"{run.stderr[-300:]}")
        elif seconds > SECONDS:
            slow.append(f"{path.name}: {seconds:.1f} s")
    assert failed == [], failed
    assert slow == [], slow

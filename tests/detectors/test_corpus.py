"""The project's training corpus (training/corpus): well formed, big enough, and apart from every
evaluation case, so that training on it cannot leak into the figures it is measured by."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).parents[2]
CORPUS = ROOT / "training" / "corpus"
REGISTERS = {"tw", "rp", "em", "cf", "fb", "dm", "vm", "tx"}
#: Word-set overlap (Jaccard) at which a training line counts as a copy of an evaluation case.
TOO_CLOSE = 0.6


def _lines() -> list[tuple[str, str, str, str]]:
    rows = []
    for path in sorted(CORPUS.glob("*.tsv")):
        kind, family = path.stem.split("-", 1)
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            fields = line.split("\t")
            assert len(fields) == 2 and fields[0] in REGISTERS and fields[1].strip(), \
                f"{path.name} line {number}: {line!r}"
            rows.append((kind, family, fields[0], fields[1]))
    return rows


def _words(text: str) -> frozenset[str]:
    return frozenset(re.findall(r"[^\W_]+", text.lower()))


def test_the_corpus_has_enough_threats_and_lawful_twins_in_every_family() -> None:
    rows = _lines()
    threats = {r[3] for r in rows if r[0] == "threat"}
    lawful = {r[3] for r in rows if r[0] == "lawful"}
    assert len(threats) >= 3000 and len(lawful) >= len(threats) - 10 and not threats & lawful
    families = {(r[0], r[1]) for r in rows}
    assert sum(kind == "threat" for kind, _ in families) == 14
    for kind, family in families:
        assert sum(r[0] == kind and r[1] == family for r in rows) >= 70, (kind, family)
    assert sum(r[1] == "spanish" for r in rows) >= 600
    assert {r[2] for r in rows} == REGISTERS


def test_no_training_line_copies_an_evaluation_case() -> None:
    cases = [json.loads(line)["text"] for line in
             (ROOT / "evaluation" / "blind" / "blind-v1.jsonl").read_text("utf-8").splitlines()]
    for name in ("threats.jsonl", "hard_negatives.jsonl"):
        cases += [json.loads(line)["text"] for line in
                  (ROOT / "tests" / "detectors" / "cases" / name).read_text("utf-8").splitlines()
                  if line.strip()]
    held_out = [_words(c) for c in cases]
    close = []
    for kind, family, _, text in _lines():
        words = _words(text)
        for other in held_out:
            if len(words & other) / len(words | other) >= TOO_CLOSE:
                close.append(f"{kind}-{family}: {text}")
                break
    assert not close, close[:5]

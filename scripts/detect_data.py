"""Development data for the detection models: loaders and fixed-seed splits.

Reads ../shared/data/detect (or CIVICSHIELD_DETECT_DATA). Used by scripts/train_models.py and
scripts/evaluate.py only; the installed project never reads these files.
"""

from __future__ import annotations

import csv
import json
import os
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

SEED = 20261127
ROOT = Path(os.environ.get("CIVICSHIELD_DETECT_DATA",
                           Path(__file__).resolve().parents[2] / "shared" / "data" / "detect"))


@dataclass(frozen=True)
class Example:
    """One text with the heads it is labelled for (1 yes, 0 no; a missing head is unknown)."""

    text: str
    targets: dict[str, int]
    meta: str = ""


Splits = dict[str, list[Example]]


def _split(items: list[Example], key: Callable[[Example], object]) -> Splits:
    """Stratified 70/15/15 split by a fixed seed."""
    rng = random.Random(SEED)
    groups: dict[object, list[Example]] = {}
    for item in items:
        groups.setdefault(key(item), []).append(item)
    out: Splits = {"train": [], "validation": [], "test": []}
    for name in sorted(groups, key=str):
        group = groups[name]
        rng.shuffle(group)
        a, b = int(len(group) * 0.70), int(len(group) * 0.85)
        out["train"] += group[:a]
        out["validation"] += group[a:b]
        out["test"] += group[b:]
    for part in out.values():
        rng.shuffle(part)
    return out


def threatgram() -> Splits:
    """ThreatGram 101: label 2 (violence) is a threat; 0 and 1 (calls for arrest, jail) are not."""
    rows = json.loads((ROOT / "threatgram" / "threatgram101_labeled.json").read_text("utf-8"))
    items = [Example(r["reply"], {"threat": int(r["Label"] == 2)}, meta=str(r["Label"]))
             for r in rows if r["reply"].strip()]
    return _split(items, key=lambda e: e.meta)


def edos() -> Splits:
    """EDOS: sexist or not, with the dataset's own train/dev/test split.

    Its sexist posts also teach the threat head: category 1 ("threats, plans to harm") is a
    threat, categories 2 to 4 (derogation, animosity, prejudiced discussion) are sexist posts the
    annotators judged not to be threats. Posts labelled not sexist say nothing about threats.
    """
    out: Splits = {"train": [], "validation": [], "test": []}
    names = {"train": "train", "dev": "validation", "test": "test"}
    with (ROOT / "edos" / "edos_labelled_aggregated.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            targets = {"sexism": int(row["label_sexist"] == "sexist")}
            if row["label_sexist"] == "sexist":
                targets["threat"] = int(row["label_category"].startswith("1."))
            out[names[row["split"]]].append(Example(row["text"], targets, row["label_category"]))
    return out


def davidson() -> Splits:
    """Davidson et al.: hate speech (0) is an identity attack; hate or offensive (0, 1) insults."""
    items = []
    with (ROOT / "davidson" / "labeled_data.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            cls = int(row["class"])
            items.append(Example(row["tweet"], {"hate": int(cls == 0), "offensive": int(cls < 2)},
                                 meta=str(cls)))
    return _split(items, key=lambda e: e.meta)


def hatecheck() -> list[dict[str, str]]:
    """HateCheck test cases: evaluation only, never training or thresholds."""
    with (ROOT / "hatecheck" / "test_suite_cases.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))

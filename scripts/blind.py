"""The frozen blind set (evaluation/blind): what the stack flags on it, per family, language and
length, with 95 % Wilson intervals. Evaluation only: nothing here is tuned on these cases.

    python scripts/blind.py          # print the tables (make eval puts them in evaluation.md)
"""

from __future__ import annotations

import json
import math
import sys
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BLIND = ROOT / "evaluation" / "blind"
#: Labels a lawful case must not carry (insult on harsh criticism is counted apart).
HARMFUL = {"threat", "harassment", "sexual_harassment", "identity_attack", "doxxing"}
LENGTHS = ((0, 10), (11, 25), (26, 40), (41, 80), (81, 10_000))
#: The frozen files' SHA-256 (tests/detectors/test_blind_set.py checks them).
FROZEN = {"blind-v1.jsonl": "ad23d029b7338ea9acd2d290a8bd9e31f6807cc58180825e377ad75a5c428673",
          "profile-v1.json": "1aaa80137cbf56222d787b99c755647f9c724e495c02095e2e9ed5ce4d904979"}


def cases(version: int = 1) -> list[dict[str, Any]]:
    """The blind cases of one version."""
    path = BLIND / f"blind-v{version}.jsonl"
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def wilson(hits: int, n: int) -> tuple[float, float]:
    """The 95 % Wilson score interval of hits / n."""
    if n == 0:
        return 0.0, 0.0
    z, p = 1.96, hits / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def share(hits: int, n: int) -> str:
    """A share with its interval, for a table cell."""
    low, high = wilson(hits, n)
    return f"{hits / max(n, 1):.1%} ({low:.0%}–{high:.0%})"


def blind_tables(flags: Sequence[set[str]], data: Sequence[dict[str, Any]]
                 ) -> tuple[list[str], dict[str, float]]:
    """The blind set's tables given the stack's flags for each case, in order."""
    threat = [(c, f) for c, f in zip(data, flags, strict=True)]
    truth = [c["kind"] == "threat" for c, _ in threat]
    said = ["threat" in f for _, f in threat]
    tp = sum(t and s for t, s in zip(truth, said, strict=True))
    precision, recall = tp / max(sum(said), 1), tp / max(sum(truth), 1)
    lawful = [(c, f) for c, f in threat if c["kind"] == "lawful"]
    harmful = sum(bool(f & HARMFUL) for _, f in lawful)
    any_label = sum(bool(f) for _, f in lawful)
    figures = {"blind threat precision": precision, "blind threat recall": recall,
               "blind lawful flagged": harmful / max(len(lawful), 1)}
    rows = ["| measure | n | value (95 % interval) |", "|---|---:|---|",
            f"| threat recall | {sum(truth)} | {share(tp, sum(truth))} |",
            f"| threat precision | {sum(said)} | {share(tp, sum(said))} |",
            f"| lawful cases flagged threat, harassment, sexual harassment, identity attack or "
            f"doxxing | {len(lawful)} | {share(harmful, len(lawful))} |",
            f"| lawful cases flagged with any label (insult included) | {len(lawful)} | "
            f"{share(any_label, len(lawful))} |", "",
            "Threat recall by family:", "",
            "| family | n | flagged threat |", "|---|---:|---|"]
    rows += _by(threat, ("threat",), lambda c: c["family"], _threat, figures, "blind family")
    rows += ["", "Lawful twins by family (flagged with a harmful label):", "",
             "| family | n | flagged |", "|---|---:|---|"]
    rows += _by(threat, ("lawful",), lambda c: c["family"], lambda c, f: bool(f & HARMFUL),
                figures, "blind lawful")
    rows += ["", "Abuse and doxxing (flagged with their own label):", "",
             "| label | n | flagged |", "|---|---:|---|"]
    rows += _by(threat, ("abuse", "doxxing"), lambda c: c["labels"][0],
                lambda c, f: c["labels"][0] in f, figures, "blind label")
    dox = [(c, f) for c, f in threat if c["family"] in ("doxxing", "doxxing_decoy")]
    dox_said = sum("doxxing" in f for _, f in dox)
    dox_tp = sum("doxxing" in f for c, f in dox if c["kind"] == "doxxing")
    dox_true = sum(c["kind"] == "doxxing" for c, _ in dox)
    rows.append(f"| doxxing precision (with {len(dox) - dox_true} decoys) | {dox_said} | "
                f"{share(dox_tp, dox_said)} |")
    spanish = [f for c, f in threat if c["lang"] != "en"]
    english = [f for c, f in threat if c["lang"] == "en"]
    marked_es = sum("not_analysed" in f for f in spanish)
    marked_en = sum("not_analysed" in f for f in english)
    figures["blind not analysed es"] = marked_es / max(len(spanish), 1)
    figures["blind not analysed en"] = marked_en / max(len(english), 1)
    rows.append(f"| cases not in English marked \"not analysed: language\" | {len(spanish)} | "
                f"{share(marked_es, len(spanish))} |")
    rows.append(f"| English cases marked \"not analysed: language\" | {len(english)} | "
                f"{share(marked_en, len(english))} |")
    rows += ["", "Threat recall by language and by length (words):", "",
             "| part | n | flagged threat |", "|---|---:|---|"]
    rows += _by(threat, ("threat",), lambda c: f"language {c['lang']}", _threat, figures,
                "blind")
    rows += _by(threat, ("threat",), _length, _threat, figures, "blind")
    return rows, figures


def _length(case: dict[str, Any]) -> str:
    words = len(case["text"].split())
    low, high = next((a, b) for a, b in LENGTHS if a <= words <= b)
    return f"{low} to {high} words" if high < 10_000 else f"over {low - 1} words"


def _threat(case: dict[str, Any], found: set[str]) -> bool:
    return "threat" in found


def _by(pairs: Sequence[tuple[dict[str, Any], set[str]]], kinds: tuple[str, ...],
        key: Callable[[dict[str, Any]], str], hit: Callable[[dict[str, Any], set[str]], bool],
        figures: dict[str, float], prefix: str) -> list[str]:
    """One row per group of the cases of these kinds: how many, and how many ``hit``."""
    groups: dict[str, list[bool]] = defaultdict(list)
    for case, found in pairs:
        if case["kind"] in kinds:
            groups[key(case)].append(hit(case, found))
    rows = []
    for name in sorted(groups):
        values = groups[name]
        figures[f"{prefix} {name}"] = sum(values) / len(values)
        rows.append(f"| {name} | {len(values)} | {share(sum(values), len(values))} |")
    return rows


def main() -> None:
    """Print the blind set's tables for the installed stack."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from evaluate import flags_for

    from civicshield.app import build_registry
    from civicshield.config import load_settings
    from civicshield.domain.profile import ProtectedProfile

    registry, _ = build_registry(load_settings({}))
    data = cases()
    profile = ProtectedProfile.from_json((BLIND / "profile-v1.json").read_text("utf-8"))
    flags = flags_for(registry, [c["text"] for c in data], profile)
    rows, _ = blind_tables(flags, data)
    print("\n".join(rows))
    misses = [c for c, f in zip(data, flags, strict=True)
              if c["kind"] == "threat" and "threat" not in f]
    print(f"\n{len(misses)} threats missed (ids): " + ", ".join(c["id"] for c in misses))


if __name__ == "__main__":
    main()

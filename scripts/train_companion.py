"""Train the lexical companion of the threat head and fit how it joins the model's score.

    python scripts/train_companion.py     # after scripts/train_models.py; about two minutes

1. A logistic model over hashed word and letter n-grams (civicshield.detectors.ngrams) learns
   threat vs not from every training source that labels threats (detect_data.THREAT_SOURCES:
   ThreatGram, EDOS's sexist posts, the Gab Hate Corpus's calls for violence, HatemojiBuild,
   the implicit-hate and AMI posts that are not threats, and the project's corpus of threats to
   officials with their lawful twins), plus scripts/augment.py three times. Each source counts
   as much as every other (sample weights), threats and non-threats as much as each other.
2. On the validation splits of those sources together, each source weighted equally at its own
   mix of threats and non-threats, a
   two-input logistic model learns how much to trust the fine-tuned model's probability (as
   served: literal view, no gate) and the companion's logit; the flag threshold of the
   combination is the F1-best point there (one line for all sources).
3. Before writing, five-fold cross-validation inside the pooled validation rows (three
   shufflings) estimates F1 with and without the companion, each fold choosing its own weights
   and threshold on the other four; the figures go into companion.json.

Writes src/civicshield/detectors/models/companion.npz and companion.json (format 1, SHA-256).
The test split and HateCheck are never read. Needs scikit-learn (the `train` extra).
"""

from __future__ import annotations

import hashlib
import io
import json
import sys
from pathlib import Path

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

sys.path.insert(0, str(Path(__file__).resolve().parent))

import augment
import detect_data

from civicshield.detectors.companion import COMPANION_FORMAT, CompanionHead
from civicshield.detectors.encoder import MODEL_DIR
from civicshield.detectors.idioms import without_idioms
from civicshield.detectors.model import ModelDetector
from civicshield.detectors.ngrams import weighted_features
from civicshield.detectors.reported import without_reported

SIZE = 2 ** 18
C = 16.0
HEAD = "threat"
#: The validation sets the combination is fitted on: those with enough threats to measure
#: (the Gab corpus has 24 calls for violence among 4,134 validation posts; AMI and the
#: implicit-hate corpus have no threat positives at all). Every source is still reported.
COMBINATION_SOURCES = ("threatgram", "edos", "hatemoji", "corpus")


def matrix(texts: list[str]) -> csr_matrix:
    """Weighted hashed features, one row per text, exactly as at run time."""
    rows = [weighted_features(t, SIZE) for t in texts]
    indptr = np.cumsum([0, *(len(i) for i, _ in rows)])
    indices = np.concatenate([i for i, _ in rows])
    data = np.concatenate([v for _, v in rows])
    return csr_matrix((data, indices, indptr), shape=(len(texts), SIZE))


def f1(predicted: np.ndarray, truth: np.ndarray, weight: np.ndarray | None = None) -> float:
    w = np.ones(len(truth)) if weight is None else weight
    tp = float(w[predicted & truth].sum())
    return 2 * tp / max(float(w[predicted].sum() + w[truth].sum()), 1e-9)


def best_threshold(p: np.ndarray, truth: np.ndarray,
                   weight: np.ndarray) -> tuple[float, float]:
    """The F1-best threshold on the network's grid (0.05 to 0.95), rows weighted."""
    best = (0.5, -1.0)
    for t in np.arange(0.05, 0.96, 0.01):
        score = f1(p >= t, truth, weight)
        if score > best[1]:
            best = (round(float(t), 2), score)
    return best[0], round(best[1], 4)


def logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p.astype(np.float64), 1e-6, 1 - 1e-6)
    return np.asarray(np.log(p / (1 - p)))


def fit_combination(inputs: np.ndarray, truth: np.ndarray,
                    weight: np.ndarray) -> tuple[LogisticRegression, float]:
    """The two-input combination and its F1-best threshold, fitted on the given rows."""
    combiner = LogisticRegression(C=1.0, random_state=detect_data.SEED).fit(
        inputs, truth, sample_weight=weight)
    threshold, _ = best_threshold(combiner.predict_proba(inputs)[:, 1], truth, weight)
    return combiner, threshold


def source_weights(sources: list[str], truth: np.ndarray, *,
                   balanced: bool = False) -> np.ndarray:
    """Each source weighs the same in all, at its own mix of threats and non-threats (with
    ``balanced``, inside each source threats weigh as much as non-threats)."""
    weight = np.zeros(len(sources))
    names = sorted(set(sources))
    for name in names:
        rows = np.array([s == name for s in sources])
        for cell in ([rows & truth, rows & ~truth] if balanced else [rows]):
            if cell.any():
                weight[cell] = 1.0 / (len(names) * cell.sum())
    return weight * len(sources) / (2 if balanced else 1)


def cross_validated(inputs: np.ndarray, model_p: np.ndarray, truth: np.ndarray,
                    weight: np.ndarray) -> dict[str, float]:
    """F1 inside the validation split, each fold fitted on the other four: the model alone
    (its threshold chosen on the other folds) and combined with the companion."""
    alone, combined = [], []
    for seed in (0, 1, 2):
        pred_alone = np.zeros(len(truth), dtype=bool)
        pred_combined = np.zeros(len(truth), dtype=bool)
        folds = StratifiedKFold(5, shuffle=True, random_state=seed)
        for fit_rows, held in folds.split(inputs, truth):
            threshold, _ = best_threshold(model_p[fit_rows], truth[fit_rows], weight[fit_rows])
            pred_alone[held] = model_p[held] >= threshold
            combiner, threshold = fit_combination(inputs[fit_rows], truth[fit_rows],
                                                  weight[fit_rows])
            pred_combined[held] = combiner.predict_proba(inputs[held])[:, 1] >= threshold
        alone.append(f1(pred_alone, truth, weight))
        combined.append(f1(pred_combined, truth, weight))
    return {"model_alone_f1": round(float(np.mean(alone)), 4),
            "with_companion_f1": round(float(np.mean(combined)), 4)}


def labelled(split: str) -> tuple[list[str], np.ndarray, list[str]]:
    """Texts, threat truth and source name of one split of every threat-labelled source."""
    texts, truth, sources = detect_data.labelled(HEAD, detect_data.THREAT_SOURCES, split)
    return texts, np.array(truth), sources


def main() -> None:
    texts, truth_train, sources = labelled("train")
    extra = [e for e in augment.examples() if HEAD in e.targets] * 3
    texts += [e.text for e in extra]
    truth_train = np.r_[truth_train, [e.targets[HEAD] == 1 for e in extra]]
    sources += ["augment"] * len(extra)
    print(f"training the n-gram model on {len(texts)} texts", flush=True)
    ngram = LogisticRegression(C=C, max_iter=3000, solver="liblinear",
                               random_state=detect_data.SEED)
    ngram.fit(matrix(texts), truth_train,
              sample_weight=source_weights(sources, truth_train, balanced=True))
    weights = ngram.coef_[0].astype(np.float32)
    bias = float(ngram.intercept_[0])

    texts, truth, sources = labelled("validation")
    weight = source_weights(sources, truth)
    weight[np.array([s not in COMBINATION_SOURCES for s in sources])] = 0.0
    model = ModelDetector(MODEL_DIR, gated=False, companions=False)
    column = model.encoder.info.heads.index(HEAD)
    model_p = np.concatenate([model.probabilities(texts[i:i + 512])[:, column]
                              for i in range(0, len(texts), 512)])
    draft = CompanionHead(weights, bias, 1.0, 0.0, 0.0, 0.5)
    literal = [without_idioms(without_reported(t)) for t in texts]  # as the threat head reads
    inputs = np.c_[logit(model_p), draft.logits(literal)]
    estimate = cross_validated(inputs, model_p, truth, weight)
    print(f"validation, five folds: model alone F1 {estimate['model_alone_f1']}, "
          f"with companion {estimate['with_companion_f1']}", flush=True)
    combiner, threshold = fit_combination(inputs, truth, weight)
    head = CompanionHead(weights, bias, float(combiner.coef_[0][0]), float(combiner.coef_[0][1]),
                         float(combiner.intercept_[0]), threshold)
    served = head.combine(model_p, inputs[:, 1])
    validation_f1 = f1(served >= threshold, truth, weight)
    print(f"combination: {head.model_weight:.3f} x model logit + {head.companion_weight:.3f} x "
          f"companion logit + {head.intercept:.3f}; threshold {threshold}, validation F1 "
          f"{validation_f1:.4f} (sources weighted equally)", flush=True)
    for name in sorted(set(sources)):
        rows = np.array([s == name for s in sources])
        hit, real = served[rows] >= threshold, truth[rows]
        print(f"  {name}: {rows.sum()} texts, threats found {hit[real].sum()}/{real.sum()}, "
              f"non-threats flagged {hit[~real].sum()}/{(~real).sum()}", flush=True)
    train_texts = len(truth_train)

    buffer = io.BytesIO()
    np.savez_compressed(buffer, **{f"{HEAD}_weights": weights,
                                   f"{HEAD}_bias": np.array([bias], dtype=np.float32)})
    content = buffer.getvalue()
    (MODEL_DIR / "companion.npz").write_bytes(content)
    manifest = {
        "format": COMPANION_FORMAT, "weights": "companion.npz",
        "weights_sha256": hashlib.sha256(content).hexdigest(), "features": SIZE,
        "heads": {HEAD: {
            "model_weight": round(head.model_weight, 6),
            "companion_weight": round(head.companion_weight, 6),
            "intercept": round(head.intercept, 6), "threshold": threshold,
            "validation_f1": round(validation_f1, 4), "validation_size": len(texts),
            "cross_validated": estimate, "train_texts": train_texts, "C": C,
            "trained_on": "training splits of " + ", ".join(detect_data.THREAT_SOURCES)
                          + " and scripts/augment.py threat examples (x3), each source weighted "
                          "equally; combination and threshold on their validation splits, "
                          "each source weighted equally",
        }},
    }
    (MODEL_DIR / "companion.json").write_text(json.dumps(manifest, indent=2) + "\n", "utf-8")
    print(f"wrote {MODEL_DIR / 'companion.npz'} and companion.json")


if __name__ == "__main__":
    main()

"""Train the gate that lets the model skip texts it has nothing to say about.

    python scripts/train_gate.py        # after scripts/train_models.py; about five minutes

The target is the committed model's own behaviour: does it flag anything in a text (any head at
0.5 or more)? Texts labelled abusive in the data count as positives too. Training
texts are the training splits of every source (detect_data.SOURCES) plus the project's augmentation;
the threshold is the highest that keeps recall of positives at TARGET_RECALL on the validation
splits. Writes src/civicshield/detectors/models/gate.npz and gate.json (format 1, SHA-256).
Needs scikit-learn (the `train` extra); the installed project needs only numpy.
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

sys.path.insert(0, str(Path(__file__).resolve().parent))

import augment
import detect_data

from civicshield.detectors.encoder import MODEL_DIR
from civicshield.detectors.gate import GATE_FORMAT, Gate
from civicshield.detectors.model import ModelDetector
from civicshield.detectors.ngrams import features
from civicshield.domain.detection import DetectionInput

SIZE = 2 ** 18
TARGET_RECALL = 0.995
FLAG = 0.5
C = 4.0


def texts_and_truth(split: str) -> tuple[list[str], list[bool]]:
    """Texts of one split of every data set, and whether each is labelled abusive."""
    items = [e for load in detect_data.SOURCES.values() for e in load()[split]]
    if split == "train":
        items += augment.examples()
    return [e.text for e in items], [any(v == 1 for v in e.targets.values()) for e in items]


def model_flags(model: ModelDetector, texts: list[str]) -> np.ndarray:
    """Whether the model flags anything (a head at 0.5 or more) for each text."""
    out: list[bool] = []
    for start in range(0, len(texts), 512):
        chunk = texts[start:start + 512]
        out += [any(f.score >= FLAG for f in found)
                for found in model.detect([DetectionInput(text=t) for t in chunk])]
        print(f"  model read {start + len(chunk)}/{len(texts)}", end="\r", flush=True)
    print()
    return np.array(out)


def matrix(texts: list[str]) -> csr_matrix:
    """Hashed features, one row per text (repeated features add up)."""
    rows = [features(text, SIZE) for text in texts]
    indptr = np.cumsum([0, *(len(r) for r in rows)])
    indices = np.concatenate(rows) if rows else np.zeros(0, dtype=np.int64)
    data = np.ones(len(indices), dtype=np.float32)
    result = csr_matrix((data, indices, indptr), shape=(len(texts), SIZE))
    result.sum_duplicates()
    return result


def choose_threshold(scores: np.ndarray, target: np.ndarray) -> float:
    """The highest threshold that keeps recall of positives at TARGET_RECALL."""
    positives = np.sort(scores[target])
    allowed_misses = int(np.floor(len(positives) * (1 - TARGET_RECALL)))
    return float(positives[allowed_misses]) if len(positives) else 0.5


def main() -> None:
    model = ModelDetector(MODEL_DIR, gated=False)
    train_texts, train_truth = texts_and_truth("train")
    valid_texts, valid_truth = texts_and_truth("validation")
    print(f"training texts: {len(train_texts)}; validation texts: {len(valid_texts)}")
    train_target = model_flags(model, train_texts) | np.array(train_truth)
    valid_target = model_flags(model, valid_texts) | np.array(valid_truth)
    classifier = LogisticRegression(C=C, max_iter=3000, class_weight="balanced",
                                    solver="liblinear", random_state=detect_data.SEED)
    classifier.fit(matrix(train_texts), train_target)
    gate = Gate(classifier.coef_[0].astype(np.float32), float(classifier.intercept_[0]), 0.0, "")
    scores = gate.scores(valid_texts)  # as at run time: the whole text and each sentence
    threshold = choose_threshold(scores, valid_target)
    passed = Gate(gate.weights, gate.bias, threshold, "").passes(valid_texts)  # cues pass too
    recall = float(passed[valid_target].mean())
    skipped = float(1 - passed.mean())
    skipped_negatives = float(1 - passed[~valid_target].mean())
    print(f"validation: recall {recall:.4f}, skipped {skipped:.3f} of all texts and "
          f"{skipped_negatives:.3f} of those the model has nothing to say about")

    buffer = io.BytesIO()
    np.savez(buffer, weights=classifier.coef_[0].astype(np.float32),
             bias=np.array([classifier.intercept_[0]], dtype=np.float32))
    content = buffer.getvalue()
    (MODEL_DIR / "gate.npz").write_bytes(content)
    manifest = {
        "format": GATE_FORMAT, "weights": "gate.npz",
        "weights_sha256": hashlib.sha256(content).hexdigest(), "features": SIZE,
        "threshold": round(threshold, 6),
        "trained_for": "the model flags something (any head at 0.5 or more) or the text is "
                       "labelled abusive",
        "validation": {"texts": len(valid_texts), "positives": int(valid_target.sum()),
                       "recall": round(recall, 4), "skipped": round(skipped, 4),
                       "skipped_of_negatives": round(skipped_negatives, 4)},
        "train_texts": len(train_texts), "target_recall": TARGET_RECALL, "C": C,
    }
    (MODEL_DIR / "gate.json").write_text(json.dumps(manifest, indent=2) + "\n", "utf-8")
    print(f"wrote {MODEL_DIR / 'gate.npz'} and gate.json (threshold {threshold:.4f})")


if __name__ == "__main__":
    main()

"""A cheap first look that lets the trained model skip texts it would have nothing to say about.

Most messages to an office are ordinary. ``Gate`` scores a text with a logistic model over hashed
words, word pairs and letter groups (microseconds, no model run); only texts at or above its
threshold, or with any threat-assessment cue, go to the language model. It was trained to predict whether the model reports anything
at all for a text (any head at REPORT_FLOOR or more), with its threshold chosen on validation data
so that almost every such text passes (scripts/train_gate.py; docs/models.md gives the measured
recall and skip rate). Weights are an .npz of plain arrays, checked by SHA-256 from gate.json.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from civicshield.detectors.ngrams import features, text_parts
from civicshield.detectors.normalise import normalise
from civicshield.detectors.threat_cues import has_cue
from civicshield.detectors.weights import read_weights

GATE_FORMAT = 1


class GateFileError(RuntimeError):
    """gate.json or its weights are missing, of an unknown format, or altered."""


@dataclass(frozen=True)
class Gate:
    """The trained first look: weights, bias and the pass threshold."""

    weights: np.ndarray
    bias: float
    threshold: float
    sha256: str

    @classmethod
    def load(cls, folder: Path) -> Gate | None:
        """The gate in ``folder``, or None when the folder has none (every text goes to the
        model)."""
        found = read_weights(folder / "gate.json", GATE_FORMAT, GateFileError)
        if found is None:
            return None
        return cls(found.arrays["weights"].astype(np.float32), float(found.arrays["bias"][0]),
                   float(found.manifest["threshold"]), found.sha256)

    def scores(self, texts: list[str]) -> np.ndarray:
        """The probability, per text, that the model has something to flag; for a long text the
        highest of the whole text's and each sentence's, so that one line of threat at the end
        of a calm email is not drowned by the rest."""
        logits = np.array([max(self._logit(part) for part in text_parts(t)) for t in texts],
                          dtype=np.float64)
        return np.asarray(1.0 / (1.0 + np.exp(-logits)))

    def _logit(self, text: str) -> float:
        return float(self.weights[features(text, len(self.weights))].sum()) + self.bias

    def passes(self, texts: list[str]) -> np.ndarray:
        """Which texts the model should read: those the gate scores at its threshold or more,
        and every text with a threat-assessment cue (a weapon, a time or place, home or family,
        movements, last-resort language, leakage), whatever its score."""
        cues = np.array([has_cue(normalise(t)) for t in texts], dtype=bool)
        return np.asarray((self.scores(texts) >= self.threshold) | cues, dtype=bool)

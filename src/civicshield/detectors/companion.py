"""Lexical companion heads: word and letter n-gram models whose votes join the trained model's.

The fine-tuned model reads meaning; a logistic model over hashed n-grams (``ngrams.py``) reads
the exact words and spellings a data set's threats are made of. Each is right where the other
is unsure, so for a head that has a companion the served probability combines both:

    sigmoid(a * logit(model probability) + b * companion logit + c)

with ``a``, ``b`` and ``c`` fitted on the validation split, and the head's flag threshold chosen
on that same split for the combined score (scripts/train_companion.py; docs/models.md gives the
measured gain). For a long text the companion's logit is the highest of the whole text's and
each sentence's, as the model reads it. Weights are plain arrays in an .npz (no pickle), checked
by SHA-256 from companion.json.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from civicshield.detectors.ngrams import MODEL_SENTENCE_WORDS, text_parts, weighted_features
from civicshield.detectors.weights import read_weights

COMPANION_FORMAT = 1


class CompanionFileError(RuntimeError):
    """companion.json or its weights are missing, of an unknown format, or altered."""


@dataclass(frozen=True)
class CompanionHead:
    """One head's n-gram weights and how its logit joins the model's probability."""

    weights: np.ndarray
    bias: float
    model_weight: float
    companion_weight: float
    intercept: float
    threshold: float

    def logits(self, texts: Sequence[str]) -> np.ndarray:
        """The companion's own logit per text (for a long text, its highest part)."""
        return np.array([max(self._logit(part) for part in text_parts(t, MODEL_SENTENCE_WORDS)) for t in texts],
                        dtype=np.float64)

    def _logit(self, text: str) -> float:
        indices, values = weighted_features(text, len(self.weights))
        return float(self.weights[indices] @ values) + self.bias

    def combine(self, model_probabilities: np.ndarray, companion_logits: np.ndarray) -> np.ndarray:
        """The served probability from the model's probability and the companion's logit."""
        p = np.clip(model_probabilities.astype(np.float64), 1e-6, 1 - 1e-6)
        z = (self.model_weight * np.log(p / (1 - p)) + self.companion_weight * companion_logits
             + self.intercept)
        return np.asarray(1.0 / (1.0 + np.exp(-z)))


@dataclass(frozen=True)
class Companions:
    """The companion heads of a model folder, by the model head they join."""

    heads: dict[str, CompanionHead]
    sha256: str

    @classmethod
    def load(cls, folder: Path) -> Companions | None:
        """The companions in ``folder``, or None when it has none (the model alone serves)."""
        found = read_weights(folder / "companion.json", COMPANION_FORMAT, CompanionFileError)
        if found is None:
            return None
        heads = {name: CompanionHead(
            weights=found.arrays[f"{name}_weights"].astype(np.float32),
            bias=float(found.arrays[f"{name}_bias"][0]),
            model_weight=float(spec["model_weight"]),
            companion_weight=float(spec["companion_weight"]),
            intercept=float(spec["intercept"]), threshold=float(spec["threshold"]))
            for name, spec in found.manifest["heads"].items()}
        return cls(heads, found.sha256)

"""The trained model as a detector: threat, gendered harassment, identity attack and insult.

Each head's probability is mapped so that the threshold chosen on validation data lands on 0.5,
the flag line every label shares; below it the score falls in proportion, above it rises to 1.
Every head also reads each text without violent idioms aimed at things ("kill the bill") and,
except the sexism head, without reported speech ("someone wrote '...'"); the lower score
counts. A head with a lexical companion (``companion.py``) serves the model's probability
combined with the companion's, at the threshold chosen for the combination. A cheap gate
(``gate.py``) first sets aside texts the model would have nothing to say about. The model loads
on first use, so commands that never analyse text start fast.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from civicshield.detectors.companion import Companions
from civicshield.detectors.encoder import MODEL_DIR, TextEncoder, read_manifest
from civicshield.detectors.gate import Gate
from civicshield.detectors.idioms import without_idioms
from civicshield.detectors.reported import without_reported
from civicshield.domain.detection import DetectionInput
from civicshield.domain.models import Finding

#: What each head means as a label, and why, in words a chief of staff reads.
HEAD_LABELS: dict[str, tuple[str, str]] = {
    "threat": ("threat", "reads as a threat, a wish of harm or a call for violence"),
    "sexism": ("harassment", "reads as sexist, gendered harassment"),
    "hate": ("identity_attack", "attacks people for who they are (race, religion, gender, "
                                "sexuality, disability or origin)"),
    "offensive": ("insult", "is abusive or insulting"),
}
#: Bumped when the code around the model changes what it reports (the model's hash covers the rest).
LOGIC_VERSION = "5"
#: Heads that read quoted speech as the writer's own: sexist posts often quote women to mock
#: them, and EDOS labels such posts sexist (leaving quotes out lowered its F1).
QUOTES_COUNT = frozenset({"sexism"})
#: Scores under this are not reported (they would only add noise to the reasons).
REPORT_FLOOR = 0.2


def calibrated(probability: float, threshold: float) -> float:
    """Map a probability so that ``threshold`` becomes 0.5, keeping the order of scores."""
    if probability < threshold:
        return 0.5 * probability / threshold
    return 0.5 + 0.5 * (probability - threshold) / max(1.0 - threshold, 1e-9)


@lru_cache(maxsize=2)
def _shared_encoder(folder: Path) -> TextEncoder:
    """One loaded model per folder and process: the ONNX session is safe to share."""
    return TextEncoder.load(folder)


class ModelDetector:
    """Runs the committed ONNX model over batches of texts."""

    name = "minilm-heads"
    labels: tuple[str, ...] = tuple(label for label, _ in HEAD_LABELS.values())

    def __init__(self, folder: Path = MODEL_DIR, *, gated: bool = True,
                 companions: bool = True) -> None:
        self._folder = folder
        manifest = read_manifest(folder, verify=False)
        self.gate = Gate.load(folder) if gated else None
        self.companions = Companions.load(folder) if companions else None
        #: Each head's flag threshold: the model's, or its companion's for a combined head.
        self.thresholds = {head: float(manifest["heads_calibration"][head]["threshold"])
                           for head in manifest["heads"]}
        if self.companions:
            self.thresholds.update({head: c.threshold
                                    for head, c in self.companions.heads.items()})
        gate = f".g{self.gate.sha256[:6]}" if self.gate else ""
        companion = f".c{self.companions.sha256[:6]}" if self.companions else ""
        self.version = f"{str(manifest['onnx_sha256'])[:10]}.{LOGIC_VERSION}{gate}{companion}"
        self._encoder: TextEncoder | None = None

    @property
    def encoder(self) -> TextEncoder:
        """The loaded model (loaded on first use, once per process)."""
        if self._encoder is None:
            self._encoder = _shared_encoder(self._folder)
        return self._encoder

    def detect(self, batch: Sequence[DetectionInput]) -> list[list[Finding]]:
        """One finding per head that scores at REPORT_FLOOR or more, per input."""
        if not batch:
            return []
        heads = self.encoder.info.heads
        thresholds = self.thresholds
        texts = [item.text for item in batch]
        read = [i for i, ok in enumerate(self.gate.passes(texts))
                if ok] if self.gate else list(range(len(texts)))
        out: list[list[Finding]] = [[] for _ in texts]
        if not read:
            return out
        for at, row in zip(read, self.probabilities([texts[i] for i in read]), strict=True):
            found = []
            for head, probability in zip(heads, row, strict=True):
                score = round(calibrated(float(probability), thresholds[head]), 4)
                if score >= REPORT_FLOOR:
                    label, why = HEAD_LABELS[head]
                    found.append(Finding(self.name, self.version, label, score,
                                         f"{why} (trained model)"))
            out[at] = found
        return out

    def probabilities(self, texts: list[str]) -> np.ndarray:
        """Each head's probability per text. Every head reads the literal view as well (without
        reported speech or idioms aimed at things) and keeps the lower score: "kill the bill" is
        neither a threat nor an insult. Heads in QUOTES_COUNT read only the idioms away. Heads
        with a companion combine it in (the threat companion reads the literal view)."""
        encoder = self.encoder
        heads = encoder.info.heads
        probabilities = encoder.probabilities(texts)
        plain = {i: without_idioms(t) for i, t in enumerate(texts)}
        literal = {i: without_idioms(unreported) if (unreported := without_reported(t)) != t
                   else plain[i] for i, t in enumerate(texts)}
        for view, columns in ((literal, [c for c, h in enumerate(heads) if h not in QUOTES_COUNT]),
                              (plain, [c for c, h in enumerate(heads) if h in QUOTES_COUNT])):
            changed = [i for i, t in view.items() if t != texts[i]]
            if changed and columns:
                rows = encoder.probabilities([view[i] for i in changed])
                at = np.ix_(changed, columns)
                probabilities[at] = np.minimum(probabilities[at], rows[:, columns])
        for head, companion in (self.companions.heads.items() if self.companions else ()):
            read = list(literal.values()) if head == "threat" else texts
            column = heads.index(head)
            probabilities[:, column] = companion.combine(probabilities[:, column],
                                                         companion.logits(read))
        return probabilities

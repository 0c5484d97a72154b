"""Messages the detectors cannot read: written in another language than English.

The rules read English, and the trained model English and (for threats only) Spanish. A
message in Spanish, French, Vietnamese or any other language would otherwise be scored as
harmless without having been fully read; instead it gets the ``not_analysed`` label ("not
analysed: language"), which puts it in front of a person; for Spanish the reason says that
threats were read and the rest was not.

Language identification is py3langid (langid.py's naive Bayes over byte n-grams, its model
bundled in the package as plain arrays, loaded once on first use, nothing downloaded). The
choice is limited to the languages most spoken in US cities. A text is marked when it has at
least MIN_WORDS words and another language is identified with at least MIN_CONFIDENCE: chosen
on the validation splits of ThreatGram, EDOS and Davidson (all English) as the lowest
confidence that marks at most 0.25 % of their texts (0.15 % there; docs/detection.md).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from typing import Any

from civicshield.domain.detection import DetectionInput
from civicshield.domain.models import Finding

#: The languages told apart (ISO 639-1): English and those most spoken at home in US cities.
LANGUAGES: dict[str, str] = {
    "en": "English", "es": "Spanish", "zh": "Chinese", "tl": "Tagalog", "vi": "Vietnamese",
    "ar": "Arabic", "fr": "French", "ko": "Korean", "ru": "Russian", "pt": "Portuguese",
    "ht": "Haitian Creole", "de": "German", "it": "Italian", "pl": "Polish", "hi": "Hindi",
    "uk": "Ukrainian", "ja": "Japanese", "fa": "Persian", "hy": "Armenian", "so": "Somali"}
#: Languages the trained model reads for threats only: its training data has Spanish threats
#: and lawful look-alikes (training/corpus), but no Spanish insults, harassment or hate, and the
#: rules and cues read English. Such a message is still marked for a person to read.
THREATS_READ: frozenset[str] = frozenset({"es"})
#: Fewer words than this are not judged (too short to tell: "lol", "ok", an emoji).
MIN_WORDS = 3
#: Identified with at least this confidence.
MIN_CONFIDENCE = 0.6
_WORD = re.compile(r"\w+")


class LanguageDetector:
    """Marks messages in a language the other detectors do not read."""

    name = "language"
    version = "2"
    labels: tuple[str, ...] = ("not_analysed",)

    def __init__(self) -> None:
        self._identifier: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        with self._lock:
            if self._identifier is None:
                from py3langid.langid import MODEL_FILE, LanguageIdentifier

                identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
                identifier.set_languages(list(LANGUAGES))
                self._identifier = identifier
        return self._identifier

    def language(self, text: str) -> tuple[str, float] | None:
        """The language a text is written in and how sure, or None when it is too short."""
        if len(_WORD.findall(text)) < MIN_WORDS:
            return None
        code, confidence = self._load().classify(text)
        return str(code), float(confidence)

    def detect(self, batch: Sequence[DetectionInput]) -> list[list[Finding]]:
        """A ``not_analysed`` finding for each text written in another language."""
        out: list[list[Finding]] = []
        for item in batch:
            found = self.language(item.text)
            if found is None or found[0] == "en" or found[1] < MIN_CONFIDENCE:
                out.append([])
                continue
            name = LANGUAGES.get(found[0], found[0])
            why = (f"written in {name}: threats in it are read, but insults, harassment and "
                   "hate are not, so a person must read it" if found[0] in THREATS_READ else
                   f"written in {name}, which the detectors do not read: a person must read "
                   "it (threats and abuse in it are not flagged)")
            out.append([Finding(self.name, self.version, "not_analysed", 1.0, why)])
        return out

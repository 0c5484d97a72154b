"""Messages in a language the detectors do not read are marked "not analysed: language", never
silently scored as harmless; English, short texts and disguised English stay unmarked."""

from __future__ import annotations

import pytest

from civicshield.detectors.language import LanguageDetector
from civicshield.domain.detection import DetectionInput, label_name, priority, verdict

DETECTOR = LanguageDetector()


def _found(text: str) -> list[str]:
    return [f.why for f in DETECTOR.detect([DetectionInput(text)])[0]]


@pytest.mark.parametrize(("text", "language"), [
    ("Vamos a cerrar la calle principal para el desfile del sábado.", "Spanish"),
    ("Bonjour madame la maire, je voudrais parler du budget de la bibliothèque.", "French"),
    ("Chúng tôi muốn nói chuyện về ngân sách của thư viện thành phố.", "Vietnamese"),
    ("Gostaria de falar sobre o orçamento da biblioteca da cidade.", "Portuguese"),
])
def test_other_languages_are_marked_not_analysed(text: str, language: str) -> None:
    (why,) = _found(text)
    assert why.startswith(f"written in {language}, which the detectors do not read")


@pytest.mark.parametrize("text", [
    "Thank you for fixing the potholes on Elm Street last week.",
    "Kill the bill! Dead on arrival.",
    "u r gonna get k1lled 🔪🔪 see u at city hall",
    "lol ok",
    "🔥🔥🔥",
    "",
])
def test_english_and_short_texts_are_not_marked(text: str) -> None:
    assert _found(text) == []


def test_a_message_not_analysed_is_flagged_for_a_person_and_ranked() -> None:
    findings = DETECTOR.detect([DetectionInput("Te voy a encontrar y te voy a romper la cara.")])[0]
    judged = verdict(findings)
    assert judged.flags == ("not_analysed",)
    assert label_name("not_analysed") == "not analysed: language"
    assert priority(judged.scores) == 50.0  # above insults (40) and spam, below harassment

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
    ("Bonjour madame la maire, je voudrais parler du budget de la bibliothèque.", "French"),
    ("Chúng tôi muốn nói chuyện về ngân sách của thư viện thành phố.", "Vietnamese"),
    ("Gostaria de falar sobre o orçamento da biblioteca da cidade.", "Portuguese"),
])
def test_other_languages_are_marked_not_analysed(text: str, language: str) -> None:
    (why,) = _found(text)
    assert why.startswith(f"written in {language}, which the detectors do not read")


def test_spanish_is_marked_as_read_for_threats_only() -> None:
    (why,) = _found("Vamos a cerrar la calle principal para el desfile del sábado.")
    assert why.startswith("written in Spanish: threats in it are read")


def test_a_spanish_threat_is_flagged_and_marked() -> None:
    from civicshield.app import build_registry
    from civicshield.config import load_settings
    from civicshield.domain.detection import verdict

    registry, _ = build_registry(load_settings({}))
    found = verdict(registry.detect([DetectionInput(
        "Sé dónde vive y le voy a quemar la casa con usted adentro.")])[0])
    assert {"threat", "not_analysed"} <= set(found.flags)


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

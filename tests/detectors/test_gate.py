"""The gate in front of the model: verified on load, never sets aside a threat from the threat
set that the model would flag, and changes nothing for the texts it lets through."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from civicshield.detectors.encoder import MODEL_DIR
from civicshield.detectors.gate import Gate, GateFileError
from civicshield.detectors.model import ModelDetector
from civicshield.domain.detection import DetectionInput

CASES = Path(__file__).parent / "cases"
GATE = Gate.load(MODEL_DIR)


def _threats() -> list[str]:
    lines = (CASES / "threats.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["text"] for line in lines if line.strip()]


def test_the_committed_gate_loads() -> None:
    assert GATE is not None
    assert 0 < GATE.threshold < 1


def test_no_threat_the_model_flags_is_set_aside() -> None:
    """The gate's contract: it sets aside only texts the model would flag nothing in. (That the
    whole stack flags every threat of the set, rules included, is tested in test_cases.)"""
    assert GATE is not None
    threats = _threats()
    found = ModelDetector(gated=False).detect([DetectionInput(t) for t in threats])
    flagged = [t for t, fs in zip(threats, found, strict=True) if any(f.score >= 0.5 for f in fs)]
    assert len(flagged) >= len(threats) // 2  # the rest are left to the rules
    assert GATE.passes(flagged).all()


def test_a_threat_at_the_end_of_a_long_calm_email_passes() -> None:
    assert GATE is not None
    filler = "The budget committee reviewed the proposal for the new playground. " * 40
    assert not GATE.passes([filler]).all()
    assert GATE.passes([filler + "I am going to shoot you when you walk to your car."]).all()


@pytest.mark.parametrize("extra", [  # no threat-assessment cue: the score alone decides
    "You will pay for this with your life.",
    "I am going to kill you.",
    "You deserve to be killed.",
])
def test_every_sentence_of_a_contact_form_length_message_is_read(extra: str) -> None:
    """Texts of 26 to 80 words (a contact form, a short email) are read sentence by sentence
    too, so that the whole text's hashed sum cannot drown one threatening sentence."""
    assert GATE is not None
    calm = ("Thank you for the newsletter about the library hours. I have a question about the "
            "property tax appeals form, which asks for comparable sales. Could your office "
            "publish a short guide for residents who are not familiar with the process? ")
    message = calm + extra + " Best regards from a neighbor on Cedar Street."
    assert 25 < len(message.split()) <= 80
    assert GATE.passes([message]).all()


def test_texts_it_lets_through_get_exactly_the_models_answer() -> None:
    gated, ungated = ModelDetector(), ModelDetector(gated=False)
    texts = [*_threats()[:10], "Thanks for fixing the potholes on Elm Street!",
             "Could the library stay open later for students?",
             "You are a disgrace and a liar, resign now.",
             "The budget committee reviewed the proposal for the new playground. " * 3]
    assert GATE is not None
    passes = GATE.passes(texts)
    assert not passes.all(), "expected the gate to set aside at least one ordinary message"
    with_gate = gated.detect([DetectionInput(t) for t in texts])
    without = ungated.detect([DetectionInput(t) for t in texts])
    for ok, a, b in zip(passes, with_gate, without, strict=True):
        same = [(f.label, f.score, f.why) for f in a] == [(f.label, f.score, f.why) for f in b]
        assert same if ok else a == []
    assert gated.version != ungated.version  # stored analyses know the gate was used


def test_an_altered_or_unknown_gate_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "model"
    folder.mkdir()
    for name in ("gate.json", "gate.npz"):
        shutil.copy(MODEL_DIR / name, folder / name)
    assert Gate.load(folder) is not None
    data = bytearray((folder / "gate.npz").read_bytes())
    data[-10] ^= 0xFF
    (folder / "gate.npz").write_bytes(bytes(data))
    with pytest.raises(GateFileError, match="does not match its SHA-256"):
        Gate.load(folder)
    manifest = json.loads((MODEL_DIR / "gate.json").read_text())
    (folder / "gate.json").write_text(json.dumps({**manifest, "format": 9}))
    with pytest.raises(GateFileError, match="format 9"):
        Gate.load(folder)
    (folder / "gate.json").unlink()
    assert Gate.load(folder) is None

"""The threat head's lexical companion: verified on load, combined with the model exactly as
documented, and dropped cleanly when a model folder has none."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from civicshield.detectors.companion import CompanionFileError, Companions
from civicshield.detectors.encoder import MODEL_DIR, read_manifest
from civicshield.detectors.idioms import without_idioms
from civicshield.detectors.model import ModelDetector
from civicshield.detectors.ngrams import weighted_features
from civicshield.detectors.reported import without_reported

COMPANIONS = Companions.load(MODEL_DIR)


def _threat() -> tuple[Companions, str]:
    assert COMPANIONS is not None
    return COMPANIONS, "threat"


def test_the_committed_companion_loads_with_its_fitted_combination() -> None:
    companions, head = _threat()
    threat = companions.heads[head]
    assert set(companions.heads) == {"threat"}
    assert 0 < threat.threshold < 1
    assert threat.model_weight > 0 and threat.companion_weight > 0
    manifest = json.loads((MODEL_DIR / "companion.json").read_text())
    estimate = manifest["heads"]["threat"]["cross_validated"]
    assert estimate["with_companion_f1"] > estimate["model_alone_f1"]


def test_the_companion_reads_violent_calls_higher_than_civic_requests() -> None:
    companions, head = _threat()
    violent, civic = companions.heads[head].logits(
        ["Hang the traitors, every last one of them, and shoot the rest.",
         "Thanks for fixing the potholes on Elm Street, the council did well."])
    assert violent > 0 > civic


def test_the_combination_rises_with_either_input() -> None:
    companions, head = _threat()
    threat = companions.heads[head]
    low = threat.combine(np.array([0.2, 0.2]), np.array([-1.0, 2.0]))
    high = threat.combine(np.array([0.8, 0.8]), np.array([-1.0, 2.0]))
    assert (high > low).all()
    assert low[1] > low[0] and high[1] > high[0]


def test_served_threat_probability_is_the_documented_combination() -> None:
    companions, head = _threat()
    texts = ["You will pay for this, I know where you park every morning.",
             "Someone wrote 'I will kill you' under your post; please report it.",
             "Great game last night, we destroyed them!"]
    plain = ModelDetector(gated=False, companions=False)
    served = ModelDetector(gated=False)
    column = plain.encoder.info.heads.index(head)
    literal = [without_idioms(without_reported(t)) for t in texts]
    expected = companions.heads[head].combine(plain.probabilities(texts)[:, column],
                                              companions.heads[head].logits(literal))
    np.testing.assert_allclose(served.probabilities(texts)[:, column], expected, rtol=1e-5)
    others = [i for i, h in enumerate(plain.encoder.info.heads) if h != head]
    np.testing.assert_array_equal(served.probabilities(texts)[:, others],
                                  plain.probabilities(texts)[:, others])


def test_thresholds_and_version_follow_the_companion() -> None:
    companions, head = _threat()
    served, plain = ModelDetector(), ModelDetector(companions=False)
    manifest = read_manifest(MODEL_DIR, verify=False)
    assert plain.thresholds[head] == manifest["heads_calibration"][head]["threshold"]
    assert served.thresholds[head] == companions.heads[head].threshold
    assert served.thresholds["sexism"] == plain.thresholds["sexism"]
    assert served.version != plain.version  # stored analyses know which scoring made them


def test_weighted_features_have_unit_length_and_ignore_repetition_length() -> None:
    indices, values = weighted_features("kill kill kill the bill", 2 ** 18)
    assert len(indices) == len(set(indices.tolist()))
    assert np.isclose(np.linalg.norm(values), 1.0)
    assert weighted_features("", 2 ** 18)[0].size == 0


def test_an_altered_or_unknown_companion_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "model"
    folder.mkdir()
    for name in ("companion.json", "companion.npz"):
        shutil.copy(MODEL_DIR / name, folder / name)
    assert Companions.load(folder) is not None
    data = bytearray((folder / "companion.npz").read_bytes())
    data[-10] ^= 0xFF
    (folder / "companion.npz").write_bytes(bytes(data))
    with pytest.raises(CompanionFileError, match="does not match its SHA-256"):
        Companions.load(folder)
    manifest = json.loads((MODEL_DIR / "companion.json").read_text())
    (folder / "companion.json").write_text(json.dumps({**manifest, "format": 9}))
    with pytest.raises(CompanionFileError, match="format 9"):
        Companions.load(folder)
    (folder / "companion.json").write_text("{not json")
    with pytest.raises(CompanionFileError, match="cannot read"):
        Companions.load(folder)
    (folder / "companion.json").unlink()
    assert Companions.load(folder) is None

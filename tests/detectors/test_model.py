"""The trained model at run time: verified files, calibration, batching, windows and caching."""

from __future__ import annotations

import json
import os
import select
import shutil
import signal
from pathlib import Path

import numpy as np
import pytest

from civicshield.detectors.encoder import MODEL_DIR, ModelFileError, TextEncoder, read_manifest
from civicshield.detectors.model import ModelDetector, calibrated
from tests.detectors.helpers import labels

DETECTOR = ModelDetector()


def test_the_committed_model_matches_its_hashes_and_names_its_heads() -> None:
    manifest = read_manifest(MODEL_DIR)
    assert manifest["format"] == 1
    assert manifest["heads"] == ["threat", "sexism", "hate", "offensive"]
    for head in manifest["heads"]:
        assert 0 < manifest["heads_calibration"][head]["threshold"] < 1


def test_a_changed_model_file_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "model"
    shutil.copytree(MODEL_DIR, folder)
    onnx = folder / read_manifest(MODEL_DIR)["onnx"]
    data = bytearray(onnx.read_bytes())
    data[-10] ^= 0xFF
    onnx.write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="does not match its SHA-256"):
        TextEncoder.load(folder)


def test_an_unknown_format_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "model"
    shutil.copytree(MODEL_DIR, folder)
    manifest = json.loads((folder / "model.json").read_text())
    (folder / "model.json").write_text(json.dumps({**manifest, "format": 99}))
    with pytest.raises(ModelFileError, match="format 99"):
        TextEncoder.load(folder)


@pytest.mark.parametrize(("probability", "threshold", "expected"), [
    (0.3, 0.3, 0.5), (0.0, 0.3, 0.0), (1.0, 0.3, 1.0), (0.15, 0.3, 0.25), (0.65, 0.3, 0.75)])
def test_calibration_puts_the_threshold_on_the_flag_line(probability: float, threshold: float,
                                                         expected: float) -> None:
    assert calibrated(probability, threshold) == pytest.approx(expected)


@pytest.mark.parametrize(("text", "label"), [
    ("I'm going to find you and put a bullet in your skull", "threat"),
    ("Hang every last one of those traitors at city hall", "threat"),
    ("Women are too emotional to run a city, go back to the kitchen", "harassment"),
])
def test_the_model_flags_what_no_rule_lists(text: str, label: str) -> None:
    assert label in labels(DETECTOR, text)


@pytest.mark.parametrize("text", [
    "Thank you for fixing the streetlights on Elm Street.",
    "Kill the bill. Call your council member today.",
    "Lock her up! She should be in jail for this corruption.",
])
def test_the_model_leaves_ordinary_and_lawful_speech_alone(text: str) -> None:
    assert {"threat", "harassment"}.isdisjoint(labels(DETECTOR, text))


@pytest.mark.parametrize("text", [
    "Kill the bill!",
    "We'll destroy you at the ballot box.",
    "I'll beat you in the primary.",
])
def test_violent_idioms_aimed_at_things_raise_no_model_flag_at_all(text: str) -> None:
    assert labels(DETECTOR, text) == set()


def test_a_texts_score_does_not_depend_on_the_other_texts_in_its_batch() -> None:
    texts = ["I will hurt you", "Lovely park opening today, thank you mayor!",
             "You are a disgrace and should resign " * 5, "ok"]
    encoder = DETECTOR.encoder
    together = encoder._score(texts)
    alone = np.vstack([encoder._score([t]) for t in texts])
    assert np.allclose(together, alone, atol=1e-4)


def test_a_threat_at_the_end_of_a_long_email_is_still_read() -> None:
    filler = "The budget committee met on Tuesday to review the parks proposal. " * 40
    text = filler + "I am going to shoot you when you walk to your car."
    assert "threat" in labels(DETECTOR, text)


def test_repeated_texts_are_scored_once_and_remembered() -> None:
    encoder = DETECTOR.encoder
    text = "a text seen for the first time in this test 7f3a"
    rows = encoder.probabilities([text, text, "another"])
    assert np.array_equal(rows[0], rows[1])
    assert text in encoder._cache


def test_batches_run_side_by_side_give_the_same_scores_as_one_after_another() -> None:
    texts = [f"Message {i}: " + "the council should fix the road and " * (i % 12)
             + ("I will hurt you." if i % 5 == 0 else "thank you.") for i in range(120)]
    parallel = TextEncoder.load(MODEL_DIR, threads=2)
    serial = TextEncoder.load(MODEL_DIR, threads=1)
    got, expected = parallel.probabilities(texts), serial.probabilities(texts)
    assert parallel._pool is not None  # more than one batch, so they did run side by side
    assert serial._pool is None
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-7)


def test_a_forked_child_reads_with_its_own_threads() -> None:
    encoder = TextEncoder.load(MODEL_DIR, threads=2)
    texts = [f"Council note {i}: " + "please repave the road near the school " * (i % 9)
             for i in range(60)]
    expected = encoder.probabilities(texts)
    encoder._cache.clear()
    reader, writer = os.pipe()
    child = os.fork()
    if child == 0:  # the parent's worker threads do not exist here
        try:
            os.write(writer, encoder.probabilities(texts).tobytes())
        finally:
            os._exit(0)
    os.close(writer)
    ready, _, _ = select.select([reader], [], [], 60)
    if not ready:  # the child hangs on threads it does not have
        os.kill(child, signal.SIGKILL)
    os.waitpid(child, 0)
    assert ready, "the forked child never answered"
    with os.fdopen(reader, "rb") as stream:
        data = stream.read()
    np.testing.assert_allclose(np.frombuffer(data, dtype=np.float32).reshape(expected.shape),
                               expected, rtol=1e-6, atol=1e-7)

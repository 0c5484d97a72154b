"""The trained text model at run time: ONNX Runtime and a tokenizer, no PyTorch, no network.

``TextEncoder`` loads the committed model folder (an int8 ONNX graph, tokenizer.json and
model.json), checks both files against the hashes in model.json, and turns texts into one
probability per head. Batches are length-sorted and padded only to their longest member, each
batch holds at most a fixed number of tokens, and batches run side by side on as many threads as
the machine has cores (one core each: small batches in parallel beat one batch on two cores).
Texts longer than the model's 128 tokens are read sentence by sentence (the worst sentence
counts, so a threat at the end of a long email is not averaged away), and repeated texts are
scored once.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import onnxruntime
from tokenizers import Encoding, Tokenizer

from civicshield.detectors.normalise import SENTENCE_BREAK, normalise

MODEL_DIR = Path(__file__).parent / "models"
FORMAT = 1
#: Most tokens in one batch (rows times padded width); bounds memory and keeps batches fast.
#: Measured on 2 cores (docs/benchmarks.md): 1,024-token batches on one core each, two at a time,
#: read about a third more texts a second than 4,096-token batches on both cores.
TOKEN_BUDGET = 1024
#: Most sentences read from one long text (each distinct sentence once, up to 64 tokens each).
MAX_WINDOWS = 64
CACHE_SIZE = 4096


class ModelFileError(RuntimeError):
    """The model folder is missing, of an unknown format, or does not match its hashes."""


@dataclass(frozen=True)
class ModelInfo:
    """What model.json says about the model."""

    name: str
    heads: tuple[str, ...]
    thresholds: dict[str, float]
    max_tokens: int
    long_text_window: int


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_manifest(folder: Path, *, verify: bool = True) -> dict[str, Any]:
    """model.json, after checking its format and (with ``verify``) the files' hashes."""
    try:
        manifest: dict[str, Any] = json.loads((folder / "model.json").read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelFileError(f"{folder / 'model.json'}: cannot read the model description ({exc})") from exc
    if manifest.get("format") != FORMAT:
        raise ModelFileError(f"{folder / 'model.json'}: format {manifest.get('format')!r}, expected {FORMAT}")
    for key in ("onnx", "tokenizer") if verify else ():
        path = folder / manifest[key]
        if not path.exists() or _sha256(path) != manifest[f"{key}_sha256"]:
            raise ModelFileError(f"{path}: missing or does not match its SHA-256 in model.json")
    return manifest


class TextEncoder:
    """Scores texts with the trained heads."""

    def __init__(self, session: onnxruntime.InferenceSession, tokenizer: Tokenizer,
                 windows: Tokenizer, info: ModelInfo, workers: int = 1) -> None:
        self.info = info
        self._session = session
        self._tokenizer = tokenizer
        self._windows = windows
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._workers = workers
        self._pool: ThreadPoolExecutor | None = None
        self._pool_pid = 0

    @classmethod
    def load(cls, folder: Path = MODEL_DIR, *, thresholds: dict[str, float] | None = None,
             threads: int | None = None) -> TextEncoder:
        """Load and verify the model folder; ``threads`` (batches run at once, one core each)
        defaults to the number of cores."""
        manifest = read_manifest(folder)
        calibration = manifest.get("heads_calibration", {})
        info = ModelInfo(
            name=manifest["name"], heads=tuple(manifest["heads"]), max_tokens=manifest["max_tokens"],
            long_text_window=manifest.get("long_text_window", manifest["max_tokens"]),
            thresholds=thresholds or {h: calibration[h]["threshold"] for h in manifest["heads"]})
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1  # parallel across batches instead (see _score)
        options.inter_op_num_threads = 1
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
        session = onnxruntime.InferenceSession(str(folder / manifest["onnx"]), options,
                                               providers=["CPUExecutionProvider"])
        tokenizer = Tokenizer.from_file(str(folder / manifest["tokenizer"]))
        tokenizer.no_padding()
        tokenizer.enable_truncation(info.max_tokens)
        windows = Tokenizer.from_file(str(folder / manifest["tokenizer"]))
        windows.no_padding()
        windows.enable_truncation(info.long_text_window)
        return cls(session, tokenizer, windows, info, workers=threads or os.cpu_count() or 1)

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """One row per text, one probability per head."""
        out = np.zeros((len(texts), len(self.info.heads)), dtype=np.float32)
        todo: dict[str, list[int]] = {}
        for i, text in enumerate(texts):
            cached = self._cache.get(text)
            if cached is not None:
                out[i] = cached
            else:
                todo.setdefault(text, []).append(i)
        if todo:
            for text, row in zip(todo, self._score(list(todo)), strict=True):
                out[todo[text]] = row
                self._remember(text, row)
        return out

    def _remember(self, text: str, row: np.ndarray) -> None:
        self._cache[text] = row
        if len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)

    def _score(self, texts: list[str]) -> np.ndarray:
        """Score distinct texts: windows, length-sorted token-budget batches, max per text."""
        windows: list[tuple[int, Encoding]] = []
        normalised = [normalise(t) for t in texts]
        for i, encoding in enumerate(self._tokenizer.encode_batch(normalised)):
            if encoding.overflowing:  # a long text: read sentence by sentence
                sentences = dict.fromkeys(s for s in SENTENCE_BREAK.split(normalised[i]) if s.strip())
                windows += [(i, w) for w in
                            self._windows.encode_batch(list(sentences)[:MAX_WINDOWS])]
            else:
                windows.append((i, encoding))
        windows.sort(key=lambda w: len(w[1].ids))
        batches: list[list[tuple[int, Encoding]]] = []
        start = 0
        while start < len(windows):
            end = start + 1
            while end < len(windows) and (end - start + 1) * len(windows[end][1].ids) <= TOKEN_BUDGET:
                end += 1
            batches.append(windows[start:end])
            start = end
        encodings = [[w for _, w in batch] for batch in batches]
        if len(batches) > 1 and self._workers > 1:
            if self._pool is None or self._pool_pid != os.getpid():  # a forked child starts anew
                self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix="civicshield-model")
                self._pool_pid = os.getpid()
            results = list(self._pool.map(self._run, encodings))
        else:
            results = [self._run(e) for e in encodings]
        scores = np.zeros((len(texts), len(self.info.heads)), dtype=np.float32)
        for batch, rows in zip(batches, results, strict=True):
            for (i, _), row in zip(batch, rows, strict=True):
                scores[i] = np.maximum(scores[i], row)
        return scores

    def _run(self, encodings: list[Encoding]) -> np.ndarray:
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), width), dtype=np.int64)
        mask = np.zeros((len(encodings), width), dtype=np.int64)
        for row, encoding in enumerate(encodings):
            ids[row, :len(encoding.ids)] = encoding.ids
            mask[row, :len(encoding.ids)] = 1
        result = self._session.run(["probabilities"], {"input_ids": ids, "attention_mask": mask})
        return np.asarray(result[0], dtype=np.float32)

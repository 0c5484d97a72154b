"""Weight files of the small linear models (the gate, the lexical companions).

Each is a JSON manifest with a format number, the name of an .npz of plain arrays and that file's
SHA-256. ``read_weights`` refuses a manifest of another format and weights that do not match
their hash, and loads the arrays without pickle from the very bytes it checked.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Weights:
    """A checked manifest, its arrays and the arrays' SHA-256."""

    manifest: dict[str, Any]
    arrays: dict[str, np.ndarray]
    sha256: str


def read_weights(manifest_path: Path, expected_format: int,
                 error: type[Exception]) -> Weights | None:
    """The weights ``manifest_path`` names, or None when there is no manifest; ``error`` (with
    the file's name and what is wrong) when it cannot be read, is of another format, or its
    weights are missing or altered."""
    if not manifest_path.exists():
        return None
    try:
        manifest = json.loads(manifest_path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise error(f"{manifest_path}: cannot read ({exc})") from exc
    if manifest.get("format") != expected_format:
        raise error(f"{manifest_path}: format {manifest.get('format')!r}, expected "
                    f"{expected_format}")
    weights_path = manifest_path.parent / manifest["weights"]
    content = weights_path.read_bytes() if weights_path.exists() else b""
    digest = hashlib.sha256(content).hexdigest()
    if digest != manifest["weights_sha256"]:
        raise error(f"{weights_path}: missing or does not match its SHA-256")
    with np.load(io.BytesIO(content), allow_pickle=False) as arrays:
        return Weights(manifest, {name: arrays[name] for name in arrays.files}, digest)

"""Hashed word and letter n-grams: the features of the gate and of the lexical companion heads.

A text becomes a list of indices into a fixed-size weight vector: its words, word pairs and the
letter groups of three to five inside each word (so that misspellings and new words still land
near known ones), read after ``normalise`` ("k1ll" is "kill"). Hashing keeps the weights a plain
array with no vocabulary to store. Training (scripts/) and run time use these same functions.
"""

from __future__ import annotations

import itertools
import re
import zlib
from functools import lru_cache

import numpy as np

from civicshield.detectors.normalise import SENTENCE_BREAK, SENTENCE_READING_WORDS, normalise

_WORD = re.compile(r"[a-z0-9']+|[^\sa-z0-9]")
#: The model (and so its lexical companions, which were fitted beside it) reads a text sentence by
#: sentence only past this many words, as its thresholds were chosen on whole texts; the gate reads
#: sentences past SENTENCE_READING_WORDS, so that nothing is set aside unread.
MODEL_SENTENCE_WORDS = 80
#: At most this many sentences of a long text are read, as the model's windows are.
MAX_SENTENCES = 64


def _hash(gram: str) -> int:
    return zlib.crc32(gram.encode("utf-8"))


@lru_cache(maxsize=1 << 16)
def _word_hashes(word: str) -> tuple[int, ...]:
    """A word's own hash and its letter groups' (words repeat, so each is worked out once)."""
    padded = f"<{word}>"
    return (_hash(f"w:{word}"), *(_hash(f"c:{padded[i:i + n]}")
                                  for n in (3, 4, 5) for i in range(len(padded) - n + 1)))


def features(text: str, size: int) -> np.ndarray:
    """Hashed feature indices, one per occurrence: words, word pairs and letter groups."""
    words = _WORD.findall(normalise(text).lower())
    hashes = [h for word in words for h in _word_hashes(word)]
    hashes += [_hash(f"b:{a} {b}") for a, b in itertools.pairwise(words)]
    return np.asarray(hashes, dtype=np.int64) % size


def weighted_features(text: str, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct feature indices and their weights: log(1 + count), scaled to unit length, so
    that a long text does not score high only for being long."""
    indices, counts = np.unique(features(text, size), return_counts=True)
    values = np.log1p(counts.astype(np.float64))
    norm = float(np.sqrt((values ** 2).sum()))
    return indices, values / norm if norm else values


def text_parts(text: str, words: int = SENTENCE_READING_WORDS) -> list[str]:
    """The whole text; for one of more than ``words`` words, also each distinct sentence of a
    few words or more."""
    if len(text.split()) <= words:
        return [text]
    sentences = [s for s in dict.fromkeys(SENTENCE_BREAK.split(text)) if len(s.split()) >= 4]
    return [text, *sentences[:MAX_SENTENCES]]

"""Undo the common disguises of abusive words before a model reads a text.

Attackers write "k1ll", "d-e-a-d" or "k i l l" to slip past filters. ``normalise`` reads digits
and symbols inside words as the letters they stand for and joins letters spelled out one by one.
Plain numbers ("2026", "4127") are left alone. Training and run time use the same function.
"""

from __future__ import annotations

import re

_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t",
                       "@": "a", "$": "s", "!": "i"})
#: A stand-in between two letters ("k1ll", "b!tch", "h@ng") or opening a word ("1diot").
_STAND_IN = re.compile(r"(?<=[a-zA-Z])[0-9@$!](?=[a-zA-Z])|\b[0-9@$](?=[a-zA-Z]{3,}\b)")
#: Where a text is cut into sentences: after . ! or ? and at line breaks. The model's windows for
#: long texts and the gate's and companions' parts are cut here, so that they read the same pieces.
SENTENCE_BREAK = re.compile(r"(?<=[.!?])\s+|\n+")
#: The gate reads a text of more words than this sentence by sentence too, so that one threatening
#: sentence in a polite email is never set aside unread.
SENTENCE_READING_WORDS = 25
#: Four or more single letters separated by the same kind of gap: "d-e-a-d", "k i l l", "k.i.l.l".
_SPELLED = re.compile(r"\b[a-zA-Z](?:(?P<gap>[ .\-_*])[a-zA-Z])(?:(?P=gap)[a-zA-Z]){2,}\b")


def normalise(text: str) -> str:
    """The text with disguised spellings undone; ordinary text comes back unchanged."""
    text = _STAND_IN.sub(lambda m: m.group(0).translate(_LEET), text)
    return _SPELLED.sub(lambda m: re.sub(r"[ .\-_*]", "", m.group(0)), text)

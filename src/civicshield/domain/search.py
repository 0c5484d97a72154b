"""What a person typed in the queue's search box, read as words and "quoted phrases".

The store matches whole words (case ignored), and a word of three letters or more also as the
start of a longer one (``threat`` finds "threatening"). Only letters and digits count: the
rest of what was typed separates words, so nothing typed reaches the store as syntax.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from civicshield.domain.errors import InvalidInputError

#: Longest search accepted, and most words in it.
MAX_SEARCH_CHARS = 200
MAX_SEARCH_WORDS = 12
#: A word this long or longer also matches the start of longer words.
PREFIX_FROM = 3

_WORD = re.compile(r"[^\W_]+")
_PHRASE = re.compile(r'"([^"]*)"')


@dataclass(frozen=True)
class SearchQuery:
    """Every term must occur: single words, and phrases (words that must follow each other)."""

    words: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()

    def __str__(self) -> str:
        return " ".join([*self.words, *('"' + " ".join(p) + '"' for p in self.phrases)])


def words_of(text: str) -> list[str]:
    """The words of ``text`` as the store indexes them: runs of letters and digits, lowercased."""
    return [w.lower() for w in _WORD.findall(text)]


def parse_search(text: str) -> SearchQuery | None:
    """The search typed, or None when nothing searchable was typed (the box left empty, or
    only punctuation)."""
    if len(text) > MAX_SEARCH_CHARS:
        raise InvalidInputError(f"a search is at most {MAX_SEARCH_CHARS} characters")
    phrases = []
    for quoted in _PHRASE.findall(text):
        found = words_of(quoted)
        if len(found) > 1:
            phrases.append(tuple(found))
    rest = _PHRASE.sub(" ", text).replace('"', " ")
    singles = [*words_of(rest),
               *(w for quoted in _PHRASE.findall(text) if len(words_of(quoted)) == 1
                 for w in words_of(quoted))]
    words = tuple(dict.fromkeys(singles))
    unique_phrases = tuple(dict.fromkeys(phrases))
    if len(words) + sum(len(p) for p in unique_phrases) > MAX_SEARCH_WORDS:
        raise InvalidInputError(f"a search is at most {MAX_SEARCH_WORDS} words")
    if not words and not unique_phrases:
        return None
    return SearchQuery(words, unique_phrases)

"""Reported speech: a threat that the writer quotes, reports or condemns is not their threat.

"Someone wrote 'I will kill you' under the mayor's post, report it" quotes a threat. When a text
holds a quotation and, outside it, words that report or condemn (wrote, said, posted, according
to, police, arrested, disgusting, not okay, ...), ``reported_spans`` returns the quoted parts.
Threat rules ignore matches inside them and the model's heads (all but sexism) read the text
with them left out.
"""

from __future__ import annotations

import re

_QUOTED = re.compile(r"[\"“]([^\"“”\n]{3,300})[\"”]"
                     r"|(?:(?<=\s)|(?<=^)|(?<=:))['‘]([^'‘’\n]{3,300}?)['’](?=[\s.,!?;:)]|$)")
_FRAME = re.compile(
    r"\b(?:wrote|writes|writing|write|said|says|saying|posted|posts|commented|comments|sent|told"
    r"|quote|quoted|quoting|reported|report|according to|messages? like|words like|replied"
    r"|arrested|charged|police|sheriff|investigat\w*|condemn\w*|disgusting|vile|unacceptable"
    r"|not okay|never okay|is a crime|banned|threats?)\b", re.IGNORECASE)


#: Indirect speech of someone else: "my neighbor said someone should ..." (not "I said").
_INDIRECT = re.compile(r"\b(?!(?:i|we|they|people|everyone|everybody|all)\b)[a-z]+ (?:said|says|wrote|posted|claimed|commented"
                       r"|told (?:me|us|him|her|them))(?: that)?\s+([^.!?\n]{3,300})",
                       re.IGNORECASE)


def reported_spans(text: str) -> list[tuple[int, int]]:
    """The parts of a text that report someone else's words: indirect speech ("my neighbor
    said ..."), and quotations when the text reports or condemns what it quotes."""
    indirect = [m.span(1) for m in _INDIRECT.finditer(text)]
    if '"' not in text and "'" not in text and "“" not in text and "‘" not in text:
        return indirect
    spans = [m.span() for m in _QUOTED.finditer(text)]
    if not spans:
        return indirect
    outside = text
    for start, end in reversed(spans):
        outside = outside[:start] + " " + outside[end:]
    return sorted(indirect + spans) if _FRAME.search(outside) else indirect


def without_reported(text: str) -> str:
    """The text with reported words replaced by a neutral word."""
    spans = reported_spans(text)
    merged: list[tuple[int, int]] = []
    for start, end in spans:  # quotations may sit inside indirect speech
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    for start, end in reversed(merged):
        text = text[:start] + "that" + text[end:]
    return text


def inside(span: tuple[int, int] | None, spans: list[tuple[int, int]]) -> bool:
    """True when a span lies within one of the spans."""
    return span is not None and any(s <= span[0] and span[1] <= e for s, e in spans)

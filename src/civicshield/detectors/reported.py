"""Reported speech: a threat that the writer quotes, reports or condemns is not their threat.

"Someone wrote 'I will kill you' under the mayor's post, report it" quotes a threat. When a text
holds a quotation and, outside it, words that report or condemn (wrote, said, posted, according
to, police, arrested, disgusting, not okay, ...), ``reported_spans`` returns the quoted parts.
Threat rules ignore matches inside them and the model's heads (all but sexism) read the text
with them left out.

Only words attributed to someone else are removed, never the writer's own: indirect speech stops
where the writer's own clause begins ("he said she should be shot, and I'll do it myself"); a
source the writer cites to assert something ("the bible says she deserves death", "everyone in
town says ...") is the writer speaking; and words the writer endorses ("as my neighbor says, ...",
"'someone should shoot her' - couldn't agree more") stay theirs.
"""

from __future__ import annotations

import re

_QUOTED = re.compile(r"[\"“]([^\"“”\n]{3,300})[\"”]"
                     r"|(?:(?<=\s)|(?<=^)|(?<=:))['‘]([^'‘’\n]{3,300}?)['’](?=[\s.,!?;:)]|$)")
_FRAME = re.compile(
    r"\b(?:wrote|writes|writing|write|said|says|saying|posted|posts|commented|comments|sent|told"
    r"|quote|quoted|quoting|reported|report|according to|messages? like|words like|replied"
    r"|arrested|charged|police|sheriff|investigat\w*|condemn\w*|disgusting|vile|unacceptable"
    r"|not okay|never okay|is a crime|banned|threats? (?:like|such as))\b", re.IGNORECASE)

#: Indirect speech: up to three words naming who spoke, the verb, then what they said.
_INDIRECT = re.compile(r"\b((?:[a-z']+ ){0,2}[a-z']+) (?:said|says|wrote|posted|claimed"
                       r"|commented|told (?:me|us|him|her|them))(?: that)?\s+([^.!?\n]{3,300})",
                       re.IGNORECASE)
#: Who speaks for the writer: the writer, a crowd the writer joins, or a source the writer cites.
_OWN_VOICE = frozenset({
    "i", "we", "they", "people", "everyone", "everybody", "all", "folks", "nobody", "town",
    "city", "country", "bible", "scripture", "god", "lord", "law", "constitution", "history",
    "gut", "heart", "instinct", "sense", "science", "nature", "facts", "truth", "data", "book"})
#: A crowd the writer speaks with: "everyone in town says", "people around here say".
_CROWD = frozenset({"everyone", "everybody", "people", "folks", "all"})
#: Where the writer's own clause starts inside a sentence of indirect speech.
_OWN_CLAUSE = re.compile(r"(?:[,;:]|\s[-–—]|\b(?:and|but|so|then|because)\b)\s*(?:i|we)"
                         r"(?:'ll|'m|'ve|'d| will| would| am| agree| think)?\b", re.IGNORECASE)
#: The writer taking reported words as their own.
_ENDORSED = re.compile(
    r"\b(?:i agree|agreed|(?:couldn'?t|could not) agree more|(?:he|she|they)'?(?:s| is| are|re)"
    r" right|so true|exactly|amen|well said|i second that|damn right|as (?:[a-z']+ ){0,3}"
    r"(?:said|says|put it)|like (?:[a-z']+ ){0,3}(?:said|says)|(?:i|we)(?:'ll| will| would|'d)"
    r" (?:do|finish|help with) (?:it|that|the job)|do it (?:myself|ourselves)|finish the job"
    r"|count me in|i'?m in|make it happen)\b", re.IGNORECASE)


def _indirect_spans(text: str) -> list[tuple[int, int]]:
    """What someone else is said to have said, up to where the writer's own clause begins."""
    spans: list[tuple[int, int]] = []
    for match in _INDIRECT.finditer(text):
        speaker = match.group(1).lower().split()
        if speaker[-1] in _OWN_VOICE or speaker[0] in _CROWD:
            continue
        start, end = match.span(2)
        own = _OWN_CLAUSE.search(text, start, end)
        if own:
            end = own.start()
            while end > start and text[end - 1] in " ,;:-–—":
                end -= 1
        if end - start >= 3:
            spans.append((start, end))
    return spans


def reported_spans(text: str) -> list[tuple[int, int]]:
    """The parts of a text that report someone else's words: indirect speech ("my neighbor
    said ..."), and quotations when the text reports or condemns what it quotes."""
    if _ENDORSED.search(text):
        return []
    indirect = _indirect_spans(text)
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

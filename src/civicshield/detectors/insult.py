"""Insults: demeaning names, which are rude but usually lawful; ranked low in the queue."""

from __future__ import annotations

from civicshield.detectors.rules import Rule, RuleDetector


class InsultDetector(RuleDetector):
    """Rules for insulting words; calling an official a liar alone is criticism, not an insult."""

    name = "insult-rules"
    version = "1"
    rules = (
        Rule("insult", r"\b(?:idiot|moron|imbecile|stupid|dumb(?:ass)?|clown|loser|jackass"
             r"|asshole|dickhead|prick|scumbag|twat|dimwit|halfwit|buffoon|cretin|dolt|bimbo"
             r"|airhead|pig|cow)s?\b",
             0.62, "uses an insulting word"),
        Rule("insult", r"\b(?:you|u)(?:'re| are| r)\s+(?:such\s+|an?\s+)+(?:\w+\s+)?(?:idiot|moron"
             r"|clown|loser|joke|disgrace|embarrassment|fraud|hack)\b",
             0.72, "insults the person directly"),
        Rule("insult", r"\b(?:liar|incompetent|corrupt|crook)\b",
             0.35, "harsh criticism (lawful; shown for context, not flagged)"),
    )

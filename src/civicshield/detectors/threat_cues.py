"""The cues behavioural threat assessment looks for in a message, each put in plain words.

A cue (a weapon, a time or place, the official's home or family, their movements, "nothing left to
lose" language, telling others what one plans to do) is not a threat on its own: "gun safety
week" is not a threat. Cue findings carry a ``cue`` name and a low score; the verdict counts them
only in a message that is already hostile, where they raise the threat score and become reasons.
Escalation counts them per sender.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from civicshield.detectors.rules import Rule, RuleDetector
from civicshield.domain.detection import DetectionInput
from civicshield.domain.models import Finding

#: The cue names, in the order reasons are shown, with what each means.
CUES: dict[str, str] = {
    "weapon": "mentions a weapon",
    "time_place": "names a time or place",
    "home_family": "refers to the official's home or family",
    "movement": "refers to the official's movements or routine",
    "last_resort": "uses 'nothing left to lose' or 'last resort' language",
    "leakage": "tells others about a plan to act (leakage)",
}

_CUE_SCORE = 0.3

_RULES: tuple[tuple[str, str], ...] = (
    ("weapon", r"\b(?:guns?|rifles?|pistols?|shotguns?|handguns?|ar-?15s?|glocks?|ammo|ammunition"
               r"|bullets?|rounds? (?:of|for|in)|knife|knives|machete|blade|noose|rope|bombs?"
               r"|explosives?|pipe bomb|molotov|gasoline|petrol|lighter fluid|crossbow|scope"
               r"|loaded|locked and loaded|armed)\b|🔫|🔪|💣|🪓|🧨"),
    ("time_place", r"\b(?:tonight|tomorrow|this (?:weekend|friday|saturday|sunday|monday|tuesday"
                   r"|wednesday|thursday|evening|morning)|next (?:week|meeting)|on (?:monday|tuesday"
                   r"|wednesday|thursday|friday|saturday|sunday)|at (?:the )?(?:next )?(?:council"
                   r" meeting|town hall|city hall|meeting|parade|rally|fundraiser|event|office)"
                   r"|at \d{1,2}(?::\d{2})?\s*(?:am|pm)|after (?:the|your) (?:meeting|speech|event))\b"),
    ("home_family", r"\b(?:your|her|his|the mayor'?s) (?:\w+ )?(?:house|home|front door|door"
                    r"|driveway|porch|street|neighbou?rhood|family|kids?|children|husband|wife"
                    r"|daughter|son|mom|mother|dad|father|partner|dog)\b|\bwhere (?:you|she|he) "
                    r"(?:live|lives|sleep|sleeps)\b"),
    ("movement", r"\b(?:i|we) (?:saw|seen|watched|followed|spotted|noticed) (?:you|her|him)\b"
                 r"|\byou (?:were|was) at\b|\byou (?:leave|left|walk|jog|run|drive|park|get home)"
                 r" (?:at|every|around|by)\b|\bevery (?:morning|evening|night|day) (?:you|she|he)\b"
                 r"|\byour (?:car|route|schedule|routine|commute|gym|jog|walk)\b"),
    ("last_resort", r"\bnothing (?:left )?to lose\b|\blast resort\b|\bno (?:other )?(?:choice|option"
                    r"|way out)\b|\bonly (?:language|thing) (?:they|you|she|he) understand"
                    r"|\bdone (?:talking|asking|being nice)\b|\btime for (?:talk|talking|words)"
                    r" is over\b|\bby any means necessary\b|\bleft (?:us|me) no choice\b"),
    ("leakage", r"\bi(?:'ve| have)? told (?:my|the|some|a) \w+ (?:that |what )?i(?:'m| am| will|'ll)"
                r"|\b(?:everyone|the world|you all) will (?:know|remember) my name\b|\bwatch the "
                r"news\b|\byou'?ll (?:see|read about) (?:it|me) (?:on|in) the news\b|\bmanifesto\b"
                r"|\bmark my words\b|\bremember (?:this|my) (?:post|name|words)\b"),
)

_CUE_OF = {why: cue for cue, why in CUES.items()}
_ANY_CUE = re.compile("|".join(f"(?:{pattern})" for _, pattern in _RULES), re.IGNORECASE)


def has_cue(text: str) -> bool:
    """Whether the text holds any threat-assessment cue (a cheap check, before any model)."""
    return _ANY_CUE.search(text) is not None


class ThreatCueDetector(RuleDetector):
    """Emits threat-assessment cues as low-score findings named by their cue."""

    name = "threat-cues"
    version = "2"
    skip_reported = True
    rules = tuple(Rule("threat", pattern, _CUE_SCORE, CUES[cue], lookalikes=False)
                  for cue, pattern in _RULES)

    def detect(self, batch: Sequence[DetectionInput]) -> list[list[Finding]]:
        """Cue findings per input (one per cue and span)."""
        return [[replace(f, cue=_CUE_OF[f.why]) for f in found]
                for found in super().detect(batch)]

"""Sexual harassment: sexual remarks, requests or threats aimed at the person."""

from __future__ import annotations

from civicshield.detectors.rules import Rule, RuleDetector


class SexualHarassmentDetector(RuleDetector):
    """Rules for sexualised comments about the official's body or sex life."""

    name = "sexual-harassment-rules"
    version = "1"
    rules = (
        Rule("sexual_harassment", r"\b(?:send (?:me |us )?(?:some )?nudes|nudes? of you"
             r"|your (?:tits|boobs|breasts|ass|butt|thighs|pussy|cleavage)"
             r"|sit on my (?:face|lap)|on your knees|blow ?job|suck my|bend (?:you|her) over"
             r"|(?:sleep|slept|sleeping) with (?:you|her)|in my bed|spread your legs|wet dream"
             r"|strip for|grope (?:you|her)|rape (?:you|her)|what you(?:'re| are) wearing under)\b",
             0.85, "sexual remark or request aimed at the person (sexual harassment)"),
        Rule("sexual_harassment", r"\b(?:you(?:'re| are)|she(?:'s| is)|such a|what a) (?:so )?"
             r"(?:sexy|hot|fuckable|bangable|doable)\b|\bhot (?:mayor|lady|chick|body|mom)\b"
             r"|\bnice (?:legs|rack|body|ass)\b|\bmilf\b|\bdtf\b|\bhorny\b",
             0.72, "comments on the person's body in a sexual way (sexual harassment)"),
    )

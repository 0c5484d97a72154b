"""Harassment directed at the person, gendered harassment included."""

from __future__ import annotations

from civicshield.detectors.rules import Rule, RuleDetector


class HarassmentDetector(RuleDetector):
    """Rules for abuse aimed at the person rather than at their decisions."""

    name = "harassment-rules"
    version = "1"
    rules = (
        Rule("harassment", r"\b(?:you|u)(?:'re| are| r)\s+(?:such\s+|just\s+|nothing but\s+)?"
             r"(?:an?\s+)?(?:\w+\s+)?(?:pathetic|worthless|disgusting|useless|trash|garbage|scum"
             r"|vile|subhuman|filth|waste of (?:space|oxygen|skin)|piece of (?:shit|crap|garbage)"
             r"|pos|nobody|joke of a (?:woman|human|person))\b",
             0.7, "directed abuse: calls the person worthless or disgusting"),
        Rule("harassment", r"\b(?:shut (?:the fuck )?up|shut your (?:mouth|face|trap)|stfu"
             r"|nobody (?:wants|likes|cares about) you|everyone hates you|crawl back under"
             r"|get out of (?:our|my) (?:town|city)|no one will miss you)\b",
             0.62, "directed abuse: tells the person to be silent or that they are hated"),
        Rule("harassment", r"\b(?:bitch|whore|slut|skank|hag|cunt|harpy)(?:es|s)?\b",
             0.78, "gendered slur aimed at the person (gendered harassment)"),
        Rule("harassment", r"\b(?:go back to|get back (?:in|to)) (?:the|your) kitchen\b"
             r"|\bmake (?:me|us) a sandwich\b|\bknow your place\b|\bon (?:her|your) period\b"
             r"|\btoo emotional to (?:lead|govern|run)\b|\bhysterical (?:woman|female|girl)\b"
             r"|\b(?:women|a woman|females|girls) (?:shouldn'?t|should not|can'?t|cannot|don'?t"
             r"|do not)\s+(?:\w+\s+){0,3}?(?:lead|govern|run (?:a|this|the) (?:city|town)|hold office"
             r"|be (?:in charge|mayor|in politics))\b|\bslept (?:her|your) way\b"
             r"|\bsmile more,? sweetheart\b|\blittle girl\b",
             0.75, "gendered harassment: says a woman does not belong in office"),
        Rule("harassment", r"\b(?:fuck|screw) (?:you|u|off)\b|\bf u\b|\bgo to hell\b",
             0.55, "directed profanity at the person"),
    )

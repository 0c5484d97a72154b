"""Violent words aimed at things or at an election, not at a person: "kill the bill".

Politics is full of them: kill the bill, gut the budget, take a hatchet to the fees, hang this
vote around your neck, destroy you at the ballot box, dead on arrival, fight you on this every
step of the way, how do you sleep at night, cut your legs out from under you, fighting for us,
die on that hill; and everyday life: this chili will blow your head off, beat your record, hang
your portrait. ``idiom_spans`` finds such phrases; the model's heads read the text with them
replaced by "oppose that", so the verb alone cannot make a threat or an insult. A harm verb aimed
at a person is never touched, and phrases that are also real threats ("blow your head off") are
left for the model to judge unless food or drink is what will do it.
"""

from __future__ import annotations

import re

_HARM = (r"kill(?:ing|ed|s)?|crush(?:ing|ed|es)?|destroy(?:ing|ed|s)?|bury(?:ing)?|buried|torpedo"
         r"(?:ing|ed|es)?|gut(?:ting|ted|s)?|slaughter(?:ing|ed|s)?|shoot(?:ing|s)? down|shot down"
         r"|blow(?:ing|s)? up|blew up|tear(?:ing|s)? apart|tore apart|murder(?:ing|ed|s)?|strangl"
         r"(?:e|ing|ed|es)|choke|choking|smash(?:ing|ed|es)?|nuke|nuking|nuked|axe|axing|axed|stab"
         r"(?:bing|bed|s)? in the back")
_THINGS = (r"bill|ordinance|measure|proposal|plan|budget|project|deal|vote|amendment|tax(?: hike)?"
           r"|law|policy|idea|motion|resolution|initiative|referendum|program|programme|contract"
           r"|fees?|levy|bond|zoning|rezoning|campaign|candidacy|career|chances|bid|agenda|mandate"
           r"|ballot measure|prop(?:osition)?(?: \d+)?|funding|cuts|hike|increase|development|stadium"
           r"|permit|lane|lanes|parking|schedule|plans|bills|measures|proposals|projects|deals")
#: Food and drink that "will blow your head off" (hot, strong): praise, not a threat.
_FIERY = (r"chill?i|chilies|chillies|salsa|sauce|hot sauce|peppers?(?! spray)|wings|curry"
          r"|vindaloo|jalape[nñ]os?|habaneros?|wasabi|horseradish|mustard|kimchi|dish|recipe"
          r"|soup|stew|coffee|espresso|drink|cocktail|margarita|moonshine|whiskey|tequila")
#: Harm aimed at a person's election chances: "we'll destroy you at the ballot box", "I'll beat
#: you in the primary", "you deserve to be beaten in November". The words between may not start
#: a new clause ("and then ...").
_ELECTION = (rf"\b(?:(?:{_HARM}|beat(?:ing|s)?|hurt(?:ing|s)?|take|taking|took)\s+(?:you|her|him"
             rf"|them)(?: down)?|be (?:{_HARM}|beaten|hurt|taken down))\b"
             r"(?:\s+(?!and\b|then\b|or\b)\w+){0,3}?\s+(?:at the (?:ballot box|polls)"
             r"|in (?:the )?(?:next )?(?:election|primary|polls|vote|debate|november|march))\b")
_ELECTION_IDIOMS = re.compile(_ELECTION, re.IGNORECASE)
#: "kill her plan" is about a plan; "kill her at the campaign office" is not.
_PLACE_WORDS = r"(?:at|in|on|after|before|outside|near|by|with|when|from)\b"
_IDIOMS = re.compile(
    rf"\b(?:{_HARM})\s+(?:(?:this|that|the|these|those|your|his|her|their|our|a|an|every|any)\s+)?"
    rf"(?:(?!{_PLACE_WORDS})[\w-]+\s+){{0,2}}?(?:{_THINGS})\b(?!['’]s)|{_ELECTION}"
    r"|\btake an? (?:hatchet|axe|ax|chainsaw|knife|machete|sledgehammer) to\b[^.!?\n]{0,40}"
    r"|\bhang (?:this|that|the|it)\b[^.!?\n]{0,30}\baround (?:your|his|her|their) necks?\b"
    r"|\bdead on arrival\b|\bdead in the water\b|\bto die for\b|\bdying to\b|\bkilling it\b"
    r"|\bkilled it\b|\bis killing me\b|\bare killing me\b|\bcould kill for\b"
    r"|\bshoot(?:ing)? (?:some )?hoops\b|\bblow (?:your|my) (?:mind|socks) off\b"
    r"|\bfight(?:ing)? (?:you|them|her|him|this|it) (?:on|over) (?:this|that|it|every)\b"
    r"(?:[^.!?\n]{0,30}?\bof the way\b)?|\bfight(?:ing)? (?:you|them|her|him|this|it) every step"
    r" of the way\b|\bhow (?:do|can|could) (?:you|she|he|they) sleep at night\b"
    rf"|\b(?:{_FIERY})\b[^.!?\n]{{0,20}}?\b(?:will|'ll|is gonna|is going to|would|could|might"
    r"|can|gonna) blow (?:your|my|his|her|their) (?:head|mind|socks|brains?) off\b"
    r"|\bcut (?:your|his|her|their|the) legs out from under\b|\bdie on (?:that|this|a|the) hill\b"
    r"|\b(?:fight(?:s|ing)?|fought) for (?:us|you|them|her|him|our|the|this|that|your|their"
    r"|people|residents|families)\b"
    r"|\bbeat (?:your|his|her|my|their|the) (?:\w+ )?(?:record|score|streak|best)\b"
    r"|\bhang (?:your|his|her|their|the|a|my) (?:\w+ )?(?:portrait|picture|photo|painting"
    r"|sign|banner|flag|poster)s?\b",
    re.IGNORECASE)


def idiom_spans(text: str) -> list[tuple[int, int]]:
    """Where the text aims violent words at things, or at a person's election chances."""
    return [m.span() for m in _IDIOMS.finditer(text)]


def election_idiom_spans(text: str) -> list[tuple[int, int]]:
    """Where the text aims violent words at a person's election chances ("beat you in the
    primary"); the threat rules leave their matches there alone."""
    return [m.span() for m in _ELECTION_IDIOMS.finditer(text)]


def without_idioms(text: str) -> str:
    """The text with those phrases replaced by a plain "oppose that"."""
    for start, end in reversed(idiom_spans(text)):
        text = text[:start] + "oppose that" + text[end:]
    return text

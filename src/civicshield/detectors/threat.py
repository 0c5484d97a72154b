"""Threats of violence: explicit, veiled, conditional, incitement, wishes of harm, self-harm urging.

Lawful hyperbole ("kill the bill", "destroy you at the ballot box") is left alone because every
rule needs a person as the target, not a bill, a plan or an election.
"""

from __future__ import annotations

from civicshield.detectors.rules import Rule, RuleDetector

_HARM = (r"(?:kill|shoot|stab|murder|strangle|choke|hang|lynch|behead|execute|bomb|burn|torch"
         r"|rape|beat|hurt|gut|slit|assassinate|snipe|run over|shank|cut|break|end)")
_TARGET = (r"(?:you|u|ya|her|him|them|(?:the|this|that) mayor|mayor\b|that (?:\w+ )?(?:woman|man|bitch|traitor)"
           r"|your (?:\w+ )?(?:family|kids?|children|husband|wife|daughter|son|mom|mother|dad|staff))"
           r"\b")  # "cut you", never "cut your funding"
_CLOSE = r"[^.!?\n]{0,30}?"
_NOT = r"(?!\bnot\b|\bnever\b|n't\b|\bno\b)"
#: "I will", "we're gonna", "I'm about to" ... and up to two more words before the harm; a
#: "not" or "never" on the way ("I will never hurt you") is no threat.
_INTENT = (rf"\b(?:i|we|i'm|im|we're|i am|we are)\b(?:{_NOT}[^.!?\n]){{0,30}}?\b(?:will|'ll"
           r"|gonna|going to|about to|want to|wanna|plan to|intend to|am coming to|are coming to)"
           rf"\s+(?:{_NOT}\w+\s+){{0,2}}?")
#: Harm done to a part of the body; "break your heart", "blow your mind" are not on the list.
_BODY_HARM = (r"(?:blow|bash|cave|smash|crack|split|break|snap|rip|tear|slit|cut|knock|kick|stomp"
              r"|beat|gouge|bust|blow out) (?:your|ur|her|his|the mayor's) (?:\w+ )?(?:head|brains?"
              r"|skull|face|throat|neck|teeth|jaw|legs?|arms?|kneecaps?|knees|ribs|eyes?|guts"
              r"|spine|nose|fingers)\b(?! out from under)"
              r"|put (?:a (?:bullet|round|slug|hole)|(?:one|two|\d+)"
              r"(?: (?:bullet|round|slug|hole)s?)?) (?:in|into|through|between)"
              r" (?:your|ur|her|his|the mayor's) (?:\w+ )?(?:head|brains?|skull|face|eyes|chest"
              r"|heart|neck|back)\b")


class ThreatDetector(RuleDetector):
    """Rules for threats of violence against the official, their family or staff."""

    name = "threat-rules"
    version = "6"
    skip_reported = True
    skip_election_idioms = True
    screen = False  # measured: these rules run faster one by one than joined (benchmarks.md)
    rules = (
        Rule("threat", rf"{_INTENT}{_HARM}\s+{_TARGET}",
             0.92, "says they intend to hurt the person (explicit threat)"),
        Rule("threat", rf"{_INTENT}(?:{_BODY_HARM})",
             0.92, "says they intend to injure the person's body (explicit threat)"),
        Rule("threat", rf"\b(?:someone|somebody|anyone|people|y'all|you all|everyone|patriots)\b"
             rf"{_CLOSE}\b(?:should|needs? to|ought to|has to|have to|must)\s+(?:\w+\s+)?"
             rf"{_HARM}\s+{_TARGET}",
             0.85, "urges others to hurt the person (incitement)"),
        Rule("threat", r"\b(?:kill|hang|shoot|off) (?:yo?urself|urself)\b|\bkys\b"
             r"|\bend (?:your|ur) (?:own )?life\b|\bunalive (?:yo?urself|urself)\b"
             r"|\bdo (?:us|the world|everyone) a favou?r and die\b",
             0.85, "urges the person to harm themself"),
        Rule("threat", r"\b(?:hope|wish|pray)\s+(?:that\s+)?(?:you|u|she|he|they|your \w+)\s+"
             r"(?:\w+\s+){0,3}?(?:die|dies|get shot|gets shot|get hurt|gets hurt|get raped"
             r"|gets raped|burn|burns|rot|suffer|suffers|choke|chokes|get hit|gets hit"
             r"|get cancer|gets cancer|get what'?s coming)\b",
             0.8, "wishes harm on the person"),
        Rule("threat", r"\b(?:you|u|she|he|they|the mayor)\s+"
             r"(?:(?:really|does|do|totally|fully)\s+)?(?:deserves?|should|ought to|needs? to)"
             r"\s+(?:to\s+)?(?:die|be (?:shot|hanged|hung|killed|executed|lynched|raped|beaten"
             r"|choked|strangled|stabbed|burned|burnt)(?! down)|hang|be strung up"
             r"|get (?:shot|raped|beaten|killed|stabbed|lynched|hanged|hung|choked)(?! down))\b",
             0.82, "says the person deserves to be hurt or killed"),
        Rule("threat", r"\bgo (?:die|drop dead)\b(?! on (?:that|this|a|the) hill)",
             0.75, "tells the person to go and die"),
        Rule("threat", r"\b(?:i|we|people|everyone) know(?:s)? where (?:you|she|he|they) "
             r"(?:live|lives|sleep|sleeps|park|parks|jog|jogs|work out)\b",
             0.85, "says they know where the person lives or goes (veiled threat)"),
        Rule("threat", r"\b(?:i|we) know where (?:your|her|his) (?:kids?|children|family|daughter|son"
             r"|wife|husband) (?:go|goes|live|lives|play|plays|are|is)\b",
             0.88, "says they know where the person's family is (veiled threat)"),
        Rule("threat", r"\b(?:(?:would|'d|will) )?be a (?:real )?(?:shame|pity) if (?:something|anything)"
             r" (?:bad )?(?:happened|happens|were to happen)",
             0.82, "hints that something bad could happen to the person (veiled threat)"),
        Rule("threat", r"\bwatch (?:your|ur) back\b|\bsleep with one eye open\b"
             r"|\byour days (?:\w+ ){0,4}?are numbered\b|\bcount(?:ing)? your days\b|\byou(?:'re| are) next\b"
             r"|\byou(?:'ve| have) been warned\b|\bthis is your (?:last|final) warning\b",
             0.75, "uses a phrase commonly meant as a warning of harm (veiled threat)"),
        Rule("threat", r"\b(?:see|visit|find|get) you (?:at your (?:house|home|door)|tonight at"
             r"|after (?:the|your) (?:meeting|event|speech))\b|\bcome (?:to|by) your (?:house|home)\b"
             r"|\bshow up at your (?:house|home|door)\b",
             0.8, "talks about coming to the person's home or finding them at an event"),
        Rule("threat", r"\byou won'?t (?:see|live to see|make it to|survive) (?:the next|another"
             r"|next|your next|to)\b|\bor else\b|\byou(?:'ll| will) (?:regret|pay for) (?:this|it)\b",
             0.6, "demands something with a warning of consequences (conditional threat)"),
        Rule("threat", r"\b(?:your|ur) (?:kids?|children|daughter|son|family)\b[^.?!\n]{0,40}\b"
             r"(?:walk|walks|walking|go|goes|play|plays|playing|alone|waiting|bus stop)\b"
             r"[^.?!\n]{0,40}\b(?:alone|home|school|dark|safe|careful)\b",
             0.78, "refers to the movements of the person's children or family"),
        Rule("threat", r"\b(?:bullet|noose|rope|rifle|gun|knife|round)s? (?:with your name|for you"
             r"|for her|for him|has your name|waiting for you|with her name)\b",
             0.88, "links a weapon to the person"),
        Rule("threat", r"\b(?:i'll|i will|i'm going to|im going to|gonna|i'm gonna) make sure (?:you|she"
             r"|he|they) (?:never|don't|won't) (?:walk|see|work|speak|talk|wake up|come home|hold "
             r"office|sleep|vote)\b",
             0.85, "says they will make sure the person is harmed (explicit threat)"),
        Rule("threat", r"\b(?:i|we) (?:saw|watched|seen|spotted|followed|was watching) (?:you|her|him)"
             r"\b[^.!?\n]{0,60}\bwith (?:your|her|his) (?:daughter|son|kids?|children|wife|husband"
             r"|family|partner)\b",
             0.72, "tells the person they were watched with their family (veiled threat)"),
        Rule("threat", r"\b(?:i|we) (?:followed|tailed|trailed) (?:you|her|him) (?:home|to your|to her"
             r"|to his|back to)\b",
             0.8, "says they followed the person home (stalking)"),
        Rule("threat", r"\bthe only (?:language|thing) (?:she|he|they|you|these people) understands?"
             r" is (?:force|violence|a bullet|bullets|pain|fear|a rope)\b",
             0.75, "says violence is the only answer"),
        Rule("threat", r"\b(?:i'll|i will|i'm going to|im going to|gonna|i'm gonna) (?:be|show up|come)"
             r" (?:at|there|outside|to)\b[^.!?\n]{0,60}\bwith (?:my|a|the) (?:rifle|gun|shotgun"
             r"|pistol|knife|ar-?15|glock|piece|weapon)s?\b",
             0.88, "says they will come to a place armed"),
        Rule("threat", rf"\bhunt(?:ing|ed)? (?:{_TARGET}|(?:every|each|all)(?: last)?(?: one)? of "
             rf"(?:you|them|those \w+)) down\b|\bhunt(?:ing|ed)? down (?:{_TARGET}|(?:every|each|all)"
             rf"(?: last)?(?: one)? of (?:you|them|those \w+))",
             0.8, "says they will hunt the person or people down"),
        Rule("threat", r"\b(?:burn|torch|firebomb|set fire to|blow up)\b[^.!?\n]{0,50}\bwith (?:you"
             r"|u|her|him|them|everyone|all of (?:you|them)|your (?:\w+ )?(?:family|kids|children|staff))"
             r" (?:still |all )?(?:inside|in it|in there)\b",
             0.88, "talks of setting fire to or blowing up a place with people inside"),
        Rule("threat", r"\b(?:you|u|the mayor|your (?:family|kids?|children|husband|wife|daughter|son"
             r"|staff))(?: and (?:her|his|your|the) (?:family|kids|children|staff|husband|wife))?"
             r" (?:will|'ll|are going to|is going to|gonna) (?:all |both )?be dead (?:by|before|within"
             r"|in|soon|tomorrow|tonight|next)\b",
             0.85, "predicts the person's death by a time (explicit threat)"),
        Rule("threat", r"\b(?:fight|punch|hit|slap|kick|jump|beat up|knock out|deck) (?:you|u|her|him)"
             r"\b[^.!?\n]{0,20}?\b(?:in the parking (?:lot|garage)|outside (?:city hall|the meeting"
             r"|your (?:house|home|office))|after the (?:meeting|hearing|event)|when you (?:leave|walk"
             r"|get out)|at your (?:car|house|home|door))\b",
             0.8, "talks of assaulting the person at a place or time (threat of assault)"),
        Rule("threat", r"\byour (?:back |front |garage |side |bedroom |patio )?(?:door|window|gate"
             r"|lock)s? (?:is |are |was |were )?(?:still )?(?:unlocked|broken|doesn'?t lock|won'?t lock)\b"
             r"|\bwith (?:the|your) (?:back |front |garage |side )?(?:door|window)s? (?:unlocked"
             r"|open)\b",
             0.72, "points out a weak spot in the person's home (veiled threat)"),
        Rule("threat", r"(?:🔫|🔪|💣|🪓|⚰️|🪦)[^.!?\n]{0,30}\b(?:you|your|her|mayor)\b"
             r"|\b(?:you|your|her|mayor)\b[^.!?\n]{0,30}(?:🔫|🔪|💣|🪓|⚰️|🪦)",
             0.65, "uses weapon or death emoji aimed at the person"),
        Rule("threat", r"\b(?:d\W?e\W?a\W?d|k\W?i\W?l\W?l\W?e\W?d) (?:mayor|woman|man) walking\b"
             r"|\byou(?:'re| are) (?:a )?d[\W_]+e[\W_]+a[\W_]+d\b",
             0.8, "spells out a death threat in a disguised way"),
    )

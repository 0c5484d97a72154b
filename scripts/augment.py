"""Hand-written training examples for what the public data sets lack (used by train_models.py).

ThreatGram teaches "hang the traitors" but not that "kill the bill" or "this chili will kill you"
are lawful, that a quoted or condemned threat is not one, or that "nice car, be a shame if the
brakes failed" is. These templates, written for this project, add such cases for the threat head
(and lawful harsh criticism as negatives for the sexism head). They are kept apart from the
evaluation sets in tests/detectors/cases: different sentences, so those sets still measure.
"""

from __future__ import annotations

import itertools
import random

import detect_data

LAWFUL = {
    "objects": ["the bill", "this ordinance", "the measure", "the rezoning plan", "this budget",
                "the tax hike", "the stadium deal", "Prop 12", "the amendment", "this contract"],
    "verbs": ["kill", "crush", "destroy", "torpedo", "gut", "bury", "shoot down", "tear apart",
              "slaughter", "blow up"],
    "frames": ["We have to {v} {o}.", "Let's {v} {o} at Tuesday's vote.", "Call the clerk and help "
               "{v} {o}!", "Time to {v} {o} once and for all.", "Voters will {v} {o} in March.",
               "{O} deserves to die in committee.", "{O} is dead on arrival.",
               "We're going to {v} {o}, mark my words.", "Somebody please {v} {o}."],
}
POLITICAL = [
    "We'll beat you at the polls, count on it.", "The voters are going to destroy you in the "
    "primary.", "Your campaign is on life support.", "You're finished in this town politically.",
    "We will bury your re-election bid.", "Consider this your political obituary.",
    "We're going to take you down at the ballot box.", "Your career just died on that vote.",
    "I'll fight you on this until the last meeting of your term.", "We're out for your seat.",
    "Impeach her and be done with it.", "He belongs in prison for this fraud.",
    "Arrest the whole board for corruption.", "Recall the mayor now!",
]
IDIOMS = [
    "This heat is killing me.", "That band killed it at the fair.", "These wings are to die for.",
    "I'm dying to see the new library.", "The commute is murder today.", "My knees are killing me.",
    "We shot a few hoops after work.", "She knocked it out of the park.", "He bombed the exam.",
    "The hot sauce nearly killed me, amazing.", "Our team got slaughtered on Friday.",
    "I'd kill for a parking spot downtown.", "That pothole will destroy your tires.",
    "We blew them away in the bake-off.", "The comedian murdered on stage.",
]
REPORTED = [
    "Someone commented '{t}' on the mayor's post. Reported it.",
    "The paper says a man told the clerk '{t}' and was arrested.",
    "Writing '{t}' to an official is a crime. Please stop.",
    "Police are looking for whoever sent '{t}' to council members.",
    "I can't believe someone wrote '{t}'. That's vile.",
    "Officials now get messages like '{t}' every week, the report found.",
]
QUOTED = ["I will kill you", "you're dead", "watch your back", "I know where you live",
          "she should be shot", "hang him", "your family isn't safe"]
VEILED = [
    "Nice car you drive. Be a shame if the brakes gave out.",
    "Pretty house. Hope nothing happens to it while you're at work.",
    "Your son's school lets out at three, right? Just asking.",
    "We know which way you walk home. Think about that.",
    "Accidents happen to mayors who don't listen.",
    "Keep pushing this and see what happens to you.",
    "You won't be mayor much longer, one way or another.",
    "Enjoy your jog by the river while you still can.",
    "People like you tend to disappear.",
    "Last warning. Next time I won't just write.",
    "I'll be waiting outside your office after the vote.",
    "I'm bringing my gun to the next meeting, you'll see.",
    "Nothing left to lose now. You did this. See you Friday.",
    "My buddy knows what I'm planning for her. Soon.",
    "Vote for it and you won't make it to your car.",
    "If this passes, your family will pay for it.",
    "Someone ought to take care of her permanently.",
    "I hope someone puts you in the hospital.",
    "You'd better sleep with the lights on tonight.",
    "I know what time your wife gets home.",
]


# Calm twins of the veiled threats: the same everyday words (a car, a house, the kids, the walk
# home, sleep, after the meeting, see you Friday) with no threat, so the model learns the threat
# and not the words.
CALM_TWINS = [
    "Nice car you drive. Is it electric?", "Pretty house. Hope the renovation goes well.",
    "The school lets out at three, can we get a crossing guard there?",
    "The walk home from the station is dark, please fix the lights.",
    "Enjoy your jog by the river, the new path is great.",
    "I can't sleep at night with the noise from the bars on Main.",
    "We'll be waiting outside city hall after the vote to cheer you on.",
    "I'm bringing my kids to the next meeting so they see how it works.",
    "See you Friday at the farmers market!", "The library closes at six, can it stay open later?",
    "Our family will be at the fair tomorrow, thanks for organising it.",
    "Let's talk after the meeting about the bike lanes.",
    "Coffee after the council meeting? I have ideas for the park.",
    "How can you vote for this budget and sleep well?", "Do you even read the reports you sign?",
    "I'll fight this plan at every meeting until it's gone.",
    "We will fight for the library with everything we have.",
    "You won't be mayor much longer if you keep ignoring the east side. Vote them out.",
    "Keep pushing this and see what happens at the polls.", "Last warning from the county: the "
    "water bill is due.", "My kids walk to school every day and the crosswalk is faded.",
    "I know what time the bus comes and it's always late.",
    "Accidents happen at that intersection every week, put in a light.",
    "Your days as a council member are numbered if you ignore voters.",
    "I'll be at your office at nine to drop off the petition.",
    "We're coming to the meeting tomorrow with two hundred signatures.",
    "Watch the hearing tonight, it's going to be a fight.",
    "I'm done talking to your staff, I want a meeting with you.",
    "Nothing left in the budget for parks? Really?",
    "I followed the budget debate closely and I'm disappointed.",
]
# Threats against groups and their calm counterparts, over the same groups, so that the model
# learns the threat and not the group's name (ThreatGram mentions some groups mostly calmly).
GROUPS = ["immigrants", "refugees", "Muslims", "Jews", "women", "gay people", "trans people",
          "disabled people", "Black people", "Latinos", "Asians", "Christians", "liberals",
          "conservatives", "council members", "city workers", "journalists", "protesters"]
GROUP_THREATS = [
    "Every one of those {g} should be lined up and shot.", "{G} need to be wiped out.",
    "I'll beat the first {g} I run into tonight.", "Going hunting for {g} this weekend.",
    "Somebody should torch the homes of {g}.", "{G} will bleed for this, I promise.",
    "We'll drive {g} out of town with baseball bats.", "I want to watch {g} burn.",
    "Round up the {g} and hang them from the bridge.", "Stab any {g} who shows up here.",
    "A bullet for every one of the {g}.", "I'll make {g} pay with their lives.",
]
GROUP_CALM = [
    "{G} deserve the same services as everyone else.", "The council met with {g} on Tuesday.",
    "I support {g} in our city.", "Funding for programs that help {g} was cut.",
    "Many {g} came to the town hall to speak.", "{G} are our neighbours and friends.",
    "Our survey asked {g} about bus routes.", "The mayor thanked {g} for their work.",
]


def examples() -> list[detect_data.Example]:
    """The augmentation examples, deterministic."""
    rng = random.Random(detect_data.SEED)
    out: list[detect_data.Example] = []
    for frame, verb, obj in itertools.product(LAWFUL["frames"], LAWFUL["verbs"], LAWFUL["objects"]):
        if rng.random() < 0.12:
            text = frame.format(v=verb, o=obj, O=obj[0].upper() + obj[1:])
            out.append(detect_data.Example(text, {"threat": 0}, "lawful"))
    out += [detect_data.Example(t, {"threat": 0, "sexism": 0}, "political") for t in POLITICAL]
    out += [detect_data.Example(t, {"threat": 0}, "idiom") for t in IDIOMS]
    out += [detect_data.Example(f.format(t=q), {"threat": 0}, "reported")
            for f in REPORTED for q in QUOTED]
    out += [detect_data.Example(t, {"threat": 1}, "veiled") for t in VEILED] * 3
    out += [detect_data.Example(t, {"threat": 0}, "calm twin") for t in CALM_TWINS] * 3
    for group in GROUPS:
        names = {"g": group, "G": group[0].upper() + group[1:]}
        out += [detect_data.Example(t.format(**names), {"threat": 1, "hate": 1}, "group threat")
                for t in rng.sample(GROUP_THREATS, 4)]
        out += [detect_data.Example(t.format(**names), {"threat": 0, "hate": 0}, "group calm")
                for t in rng.sample(GROUP_CALM, 3)]
    rng.shuffle(out)
    return out

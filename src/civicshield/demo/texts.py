"""The words of the demo workspace: fictional, realistic, and not gratuitous.

Every person, address, phone number and account here is invented. Phone numbers use the
555-01xx range reserved for fiction; domains use example.* names.
"""

from __future__ import annotations

STREETS = ("Maple Avenue", "Harbor Road", "5th Street", "Cedar Lane", "Mission Boulevard",
           "Elm Street", "Riverside Drive", "Oak Court", "Station Way", "Willow Terrace")
PLACES = ("the train station", "Lincoln Park", "the public library", "Riverside Elementary",
          "the community center", "the farmers market", "Main Street", "the marina")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")
EVENTS = ("town hall", "ribbon cutting", "budget hearing", "Pride festival", "veterans breakfast")

ORDINARY = (
    "When will the potholes on {street} be repaired? It has been months.",
    "Thank you for extending the library hours, my kids love it.",
    "Is the farmers market still happening on {day}?",
    "The new bike lane on {street} is great, thank you!",
    "Several streetlights are out on {street}. Could someone look into it?",
    "Can you share the agenda for the next council meeting?",
    "Trash pickup was missed again on {street} this week.",
    "Great speech at the {event} yesterday.",
    "Why is the permit office closed on {day}s now?",
    "Our neighborhood needs a crosswalk near {place}.",
    "Congratulations on opening the new park!",
    "How do I apply for the small business grant?",
    "My water bill doubled this month. Who should I talk to?",
    "Loved the concert series at {place}. More of those please!",
    "What is the city doing about homelessness near {place}?",
    "Any update on the affordable housing project on {street}?",
    "Parking downtown keeps getting worse. Any plans?",
    "Will there be a public hearing on the {street} zoning change?",
    "Thanks to the crews who cleared the storm drains on {street} so fast.",
    "Is there a way to volunteer for the {event}?",
    "The graffiti under the bridge near {place} is back.",
    "Could the city add more benches at {place}? Seniors need somewhere to sit.",
    "I support the new tree-planting program. Count me in.",
    "Please reconsider closing {place} early on {day}s.",
    "Who do I contact about a broken fire hydrant on {street}?",
    "Really appreciated your answer at the {event} about rents.",
    "The bus schedule changes on {street} are confusing people.",
    "Is the pool at {place} opening again next summer?",
)

HARSH_LAWFUL = (
    "This budget is a disaster. Kill the bill.",
    "You lied about the housing plan and we will vote you out in November.",
    "We'll destroy you at the ballot box.",
    "Your transit plan is dead on arrival.",
    "Worst mayor this city has had in decades. Resign.",
    "This council has become a rubber stamp and everyone knows it.",
    "Shame on you for raising our fees again!",
    "You've broken every promise you made. Recall now.",
    "Incompetent leadership, plain and simple.",
    "The Tigers killed it last night, unlike this city council.",
    "That taco truck on {street} is to die for. At least something in this town works.",
    "Mayor Marsh needs to face the music at the next meeting.",
    "We will fight this ordinance with everything we've got.",
    "Someone was arrested last spring for threatening a council member. Disgusting, and I "
    "say that as your loudest critic.",
    "Your parking policy is killing small businesses on {street}.",
    "I'm furious about the {street} closure. Fix it or step aside.",
    "You are out of touch with working families.",
    "This is a blatant giveaway to developers and you should be ashamed.",
    "Blow up the whole zoning code and start over, it's a mess.",
)

INSULTS = (
    "What an idiot. Who elected this clown?",
    "Clown show at city hall again.",
    "You're a joke of a mayor.",
    "Stupid decision from a stupid mayor.",
    "What a moron. Every week a new mess.",
)

GENDERED = (
    "Go back to the kitchen, sweetheart. Leave the city to the men.",
    "Women can't run a city, you're the proof.",
    "Smile more, sweetheart, maybe people would like you.",
    "Hysterical woman, too emotional to lead.",
    "Shut up and know your place.",
    "Nobody wants you here, bitch.",
)

SEXUAL = (
    "Nice legs at the ribbon cutting, mayor. Send nudes.",
    "You're so hot when you're angry.",
    "Bet you slept your way into office.",
    "What are you wearing under that suit?",
)

IDENTITY = (
    "Go back to where you came from.",
    "Immigrants are vermin and you keep letting them in.",
    "You people don't belong in our government.",
)

SPAM = (
    "Earn $500 a day working from home! Click the link in my bio.",
    "Crypto giveaway! Send 1 BTC get 2 back https://x.example/a https://x.example/b "
    "https://x.example/c",
    "Free followers for your page, DM me for promo code.",
    "Limited time offer: cheap pills shipped overnight.",
)

ONE_OFF_THREATS = (
    "If you pass this, you won't see the next election. Watch your back.",
    "Someone should shoot her.",
    "I hope you die in a fire.",
    "Do the world a favor and die.",
)

ONE_OFF_DOXXING = (
    "Her cell is (916) 555-0143, call and tell her what you think.",
    "Her personal email is elena.marsh.home@example.net, flood it.",
)

#: A bluesky account turns from criticism to insults, then to private threats by DM and email.
PATRIOT = (
    (2, "bluesky", "Your housing plan is a disaster for this town."),
    (9, "bluesky", "Another tax hike. You are out of touch."),
    (16, "bluesky", "Liar. You said no new fees."),
    (24, "bluesky", "You're a joke of a mayor. Clown."),
    (31, "bluesky", "Idiot. Everyone on {street} hates you."),
    (38, "bluesky", "You are pathetic and worthless. Nobody wants you."),
    (44, "bluesky", "Shut up. Nobody wants you in office."),
    (51, "x", "Saw you at the {event}. You looked nervous. You should be."),
    (57, "x", "I know what car you drive. Blue Outback, plate 8ABC 123."),
    (63, "x", "We know where you live. 4127 Larkspur."),
    (70, "email", "Would be a shame if something happened to your family."),
    (76, "email", "Your kids walk home alone from school, don't they? Be careful."),
    (83, "email", "I'm done talking. Nothing left to lose. I will come to your house and I'm "
                  "going to hurt you."),
)

#: A facebook commenter whose gendered harassment turns sexual, then moves to Mastodon DMs.
TOMH = (
    (5, "facebook", "A woman as mayor. This is what we get."),
    (14, "facebook", "Smile more, sweetheart."),
    (22, "facebook", "Go back to the kitchen and let a man fix this city."),
    (33, "facebook", "Too emotional to lead. Typical."),
    (41, "facebook", "Nice legs at the ribbon cutting though."),
    (52, "mastodon", "You're so hot when you're angry, mayor."),
    (60, "mastodon", "Bet you slept your way into office."),
    (68, "mastodon", "Send nudes or I keep posting about you."),
    (79, "mastodon", "You've been warned. I know where your daughter goes to school."),
)

#: A resident fixated on one grievance, writing through the contact form and email.
PARKING = (
    "I was ticketed unfairly on {street}. Please void it.",
    "Still no answer about my ticket. This is the third time I write.",
    "Why does nobody at city hall answer? I want the ticket voided.",
    "I have written {n} times. This is harassment by the city.",
    "You people ignore us. I'm coming to the next meeting.",
    "This is my last warning. Void the ticket or you'll regret it.",
    "There is no other choice left for me. You have been warned.",
)

#: A Mastodon account that posts the mayor's private details for others to use.
DOXXER = (
    (47, "She lives at 4127 Larkspur Lane Apt 2B. Pay her a visit and tell her what you think."),
    (55, "Her kids go to Oakwood Elementary, pickup is at 3."),
    (66, "Her husband Daniel Marsh works downtown too, in case anyone wants to chat."),
)

MAYOR_POSTS = (
    "Thank you to everyone who came to the {event} today.",
    "The {street} repaving starts Monday. Expect detours for two weeks.",
    "Budget hearings continue Thursday at 6 pm in council chambers.",
    "Proud to open the new playground at {place}.",
    "Reminder: the cooling center at {place} is open this weekend.",
)

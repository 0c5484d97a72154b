"""Find a protected person's private identifiers in any text, in the many ways people write them.

``IdentifierMatcher(profile).find(text)`` returns every place where the text reveals the home
address (abbreviations, unit markers, directionals, numbers in words, "4127 Larkspur", or the
street with a description of the house), a personal phone (any format, or in words), a personal
email (also written "name at example dot net"), a family member (full name, or first name next to
a family word), a child's school (more serious with a time), or a vehicle plate (any spacing).

Addresses are normalised with usaddress and usaddress-scourgify, phones with phonenumbers. The same
matcher serves the doxxing detector and the exposure scanner. Reasons never repeat the data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
import usaddress
from scourgify import normalize_address_record
from scourgify.exceptions import AddressNormalizationError

from civicshield.domain.profile import ProtectedProfile
from civicshield.domain.wording import listed

_UNITS = {"zero": 0, "oh": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
          "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
          "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
          "eighteen": 18, "nineteen": 19}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
         "eighty": 80, "ninety": 90}
_NUMBER_WORD = "|".join(sorted([*_UNITS, *_TENS, "hundred", "thousand"], key=len, reverse=True))
_DIGIT_WORDS = {"zero": "0", "oh": "0", "o": "0", "one": "1", "two": "2", "three": "3",
                "four": "4", "five": "5", "six": "6", "seven": "7", "eight": "8", "nine": "9"}
_DIRECTIONS = {"n": "north", "s": "south", "e": "east", "w": "west", "ne": "northeast",
               "nw": "northwest", "se": "southeast", "sw": "southwest"}
_HOUSE_WORDS = (r"house|home|place|door|porch|driveway|garage|yard|lawn|mailbox|gate|fence|"
                r"corner|end of|cul-de-sac|lives|living|moved|sleeps|windows?|condo|apartment|apt")
_FAMILY_WORDS = (r"husband|wife|partner|son|daughter|kid|kids|child|children|boy|girl|mom|mother|"
                 r"dad|father|brother|sister|family|spouse|teen|baby")
_TIME = re.compile(r"\b(?:\d{1,2}(?::\d{2})?\s*(?:am|pm|a\.m\.|p\.m\.)|\d{1,2}:\d{2}|noon"
                   r"|pick-?up|drop-?off|dismissal|recess|after school|before school|every morning"
                   r"|every afternoon)\b", re.IGNORECASE)
_SEPARATORS = r"[\s.\-()/,]*"
_ENDS_SENTENCE = re.compile(r"[.!?]\s|\n\s*\n")
_SEVEN_DIGITS = re.compile(r"\d(?:\D*\d){6}")
_DIGIT_TOKEN = re.compile(r"\d|\b(?:zero|oh|one|two|three|four|five|six|seven|eight|nine)\b",
                          re.IGNORECASE)


@dataclass(frozen=True)
class IdentifierMatch:
    """One place where a text reveals a private identifier."""

    kind: str  # home_address, past_address, phone, email, family, school, vehicle, username, name
    span: tuple[int, int]
    confidence: float
    why: str


@dataclass(frozen=True)
class _Address:
    number: str
    street: str  # lower case, as written in the profile
    street_type: str  # scourgify's abbreviation, lower case ("ln"), or ""
    unit: str  # "2b" or "3-c", or ""
    town: str = ""  # lower case, or ""
    zip: str = ""  # five digits, or ""


def words_to_number(words: str) -> set[int]:
    """Every value a run of number words can mean: "forty-one twenty-seven" and "four one two
    seven" both give 4127; "four thousand one hundred twenty seven" gives 4127."""
    tokens = [t for t in re.split(r"[\s\-]+", words.lower()) if t and t != "and"]
    if not tokens or any(t not in _UNITS and t not in _TENS and t not in ("hundred", "thousand")
                         for t in tokens):
        return set()
    values: set[int] = set()
    if all(t in _UNITS and _UNITS[t] < 10 for t in tokens):
        values.add(int("".join(str(_UNITS[t]) for t in tokens)))
    groups, current = [], -1
    for t in tokens:  # read as pairs: "forty one | twenty seven"
        if t in _TENS:
            if current >= 0:
                groups.append(current)
            current = _TENS[t]
        elif t in _UNITS and 0 <= current < 100 and current % 10 == 0 and current >= 20 \
                and _UNITS[t] < 10:
            groups.append(current + _UNITS[t])
            current = -1
        elif t in _UNITS:
            if current >= 0:
                groups.append(current)
            current = _UNITS[t]
        else:
            groups = []
            break
    else:
        if current >= 0:
            groups.append(current)
        if groups:
            values.add(int("".join(str(g) for g in groups)))
    total, part = 0, 0
    for t in tokens:  # read as a cardinal
        if t in _UNITS:
            part += _UNITS[t]
        elif t in _TENS:
            part += _TENS[t]
        elif t == "hundred":
            part = max(part, 1) * 100
        else:
            total, part = total + max(part, 1) * 1000, 0
    values.add(total + part)
    return values


def _parse_address(address: str) -> _Address | None:
    """The profile's home address in parts, or None if it has no number and street."""
    try:
        normal = normalize_address_record(address)
        line = normal["address_line_1"]
        unit = (normal.get("address_line_2") or "").split()[-1:] or [""]
    except (AddressNormalizationError, KeyError, TypeError, ValueError):
        line, unit = address.split(",")[0], [""]
    try:
        parts, _ = usaddress.tag(address)
    except usaddress.RepeatedLabelError:
        parts = {}
    number = parts.get("AddressNumber") or (re.match(r"\d+", line) or [""])[0]
    street = parts.get("StreetName", "")
    if not number or not street:
        return None
    street_type = line.split()[-1].lower() if line.split()[-1].upper() != street.upper() else ""
    return _Address(number=number, street=street.lower(), street_type=street_type,
                    unit=unit[0].lower(), town=parts.get("PlaceName", "").lower().strip(),
                    zip=parts.get("ZipCode", "")[:5])


class IdentifierMatcher:
    """Matches one profile's identifiers; build once per profile (``for_profile`` caches).

    ``names=True`` (the exposure scanner) also finds the protected person's and family members'
    names written with initials ("M. Rivera", "Rivera, Maria T."), and past addresses.
    """

    def __init__(self, profile: ProtectedProfile, *, names: bool = False) -> None:
        self.profile = profile
        self._addresses = [(a, kind) for a, kind in (
            (_parse_address(text), kind) for text, kind in
            [(profile.home_address, "home_address"),
             *((p, "past_address") for p in (profile.past_addresses if names else ()))]
            if text) if a is not None]
        self._people = _people_pattern(profile)
        self._phones = _phone_keys(profile.phones)
        self._emails = [e.lower() for e in profile.emails]
        self._family = [_FamilyName(n) for n in profile.family]
        self._schools = [_school_pattern(s) for s in profile.schools]
        self._children = _children_pattern(profile)
        self._plates = [p for p in (_plate_pattern(v) for v in profile.vehicles) if p]
        self._usernames = [u for u in (_username_pattern(n) for n in profile.usernames) if u]
        self._names = ([(n, "name") for n in map(_name_pattern, (profile.name, *profile.aliases))
                        if n]
                       + [(n, "family") for n in map(_name_pattern, profile.family) if n]
                       if names else [])

    def find(self, text: str) -> list[IdentifierMatch]:
        """Every match in the text, in order of position."""
        found = [*self._find_addresses(text), *self._find_phones(text), *self._find_emails(text),
                 *self._find_family(text), *self._find_schools(text), *self._find_plates(text),
                 *self._find_usernames(text)]
        found += self._find_names(text, taken=[m.span for m in found])
        return sorted(found, key=lambda m: m.span)

    def _find_addresses(self, text: str) -> list[IdentifierMatch]:
        found: list[IdentifierMatch] = []
        for address, kind in self._addresses:
            for match in self._find_address(text, address):
                if kind == "past_address":
                    match = IdentifierMatch(kind, match.span, match.confidence - 0.05,
                                            "reveals an address where the official used to live")
                found.append(match)
        return found

    def _find_address(self, text: str, address: _Address) -> list[IdentifierMatch]:
        street = re.escape(address.street).replace(r"\ ", r"\s+")
        found: list[IdentifierMatch] = []
        for match in re.finditer(rf"\b{street}\b", text, re.IGNORECASE):
            before = text[max(0, match.start() - 80):match.start()]
            after = text[match.end():match.end() + 60]
            numbers = _numbers_before(before)
            start = match.start() - len(before) + numbers[1] if numbers[0] else match.start()
            if numbers[0] and int(address.number) in numbers[0]:
                if not _has_suffix(after, address):
                    continue  # "4127 Larkspur Ct" is another street
                end = match.end() + _tail_length(after, address)
                unit = _unit_in(text[match.end():end])
                if unit and address.unit and unit != _plain(address.unit):
                    continue  # another apartment in the same building
                place = _place_after(text[end:end + 90])
                if place.differs(address):
                    continue  # the same number and street in another town or ZIP
                parts = ["number", "street"] + (["unit"] if unit else []) + place.matched(address)
                found.append(IdentifierMatch(
                    "home_address", (start, end + place.length(address)), 0.97,
                    f"reveals the official's home address ({listed(parts)} match)"))
            elif not numbers[0] and _names_street(before, after, address) and _about_the_house(
                    text[max(0, match.start() - 120):match.end() + 120], address, self._people):
                found.append(IdentifierMatch(
                    "home_address", match.span(), 0.75,
                    "names the official's home street and describes the house"))
        return found

    def _find_phones(self, text: str) -> list[IdentifierMatch]:
        if not self._phones:
            return []
        found: list[IdentifierMatch] = []
        # phonenumbers' matcher is slow on long pages: run it only where a number could be one
        # of ours (its last four digits appear); spaced digits and words are read below.
        worth = _SEVEN_DIGITS.search(text) and any(key[-4:] in text for key in self._phones)
        for match in phonenumbers.PhoneNumberMatcher(text if worth else "", "US",
                                                     leniency=phonenumbers.Leniency.POSSIBLE):
            if str(match.number.national_number) in self._phones and not _inside_digits(
                    text, match.start, match.end):
                found.append(IdentifierMatch("phone", (match.start, match.end), 0.96,
                                             "reveals the official's private phone number"))
        taken = [m.span for m in found]
        for start, end, digits in _digit_runs(text):
            for key in self._phones:  # the whole run is the number: never digits inside more
                spot = 0 if digits in (key, "1" + key) else -1
                local = 0 if len(key) == 10 and digits == key[-7:] else -1
                if (spot >= 0 or local >= 0) and not any(s <= start < e for s, e in taken) \
                        and not _inside_digits(text, start, end):
                    why = ("reveals the official's private phone number" if spot >= 0
                           else "reveals the official's private phone number (without area code)")
                    found.append(IdentifierMatch("phone", (start, end), 0.95 if spot >= 0 else 0.85,
                                                 why))
                    break
        return found

    def _find_emails(self, text: str) -> list[IdentifierMatch]:
        found = []
        for email in self._emails:
            local, _, domain = email.partition("@")
            parts = [re.escape(p) for p in re.split(r"[.]", local)]
            dot = r"\s*(?:\.|\(dot\)|\[dot\]|\bdot\b)\s*"
            at = r"\s*(?:@|\(at\)|\[at\]|\bat\b)\s*"
            pattern = dot.join(parts) + at + dot.join(re.escape(p) for p in domain.split("."))
            found += [IdentifierMatch("email", m.span(), 0.95, "reveals the official's personal email")
                      for m in re.finditer(pattern, text, re.IGNORECASE)]
        return found

    def _find_family(self, text: str) -> list[IdentifierMatch]:
        found = []
        for family in self._family:
            found += [IdentifierMatch("family", m.span(), 0.8,
                                      "names a member of the official's family")
                      for m in family.full.finditer(text)]
            for m in family.first.finditer(text):
                if any(s <= m.start() < e for s, e in (f.span for f in found)):
                    continue
                window = text[max(0, m.start() - 40):m.end() + 40]
                if re.search(rf"\b(?:{_FAMILY_WORDS})s?\b|'s\s+(?:school|bus|class)", window,
                             re.IGNORECASE):
                    found.append(IdentifierMatch("family", m.span(), 0.7,
                                                 "names a member of the official's family"))
        return found

    def _find_schools(self, text: str) -> list[IdentifierMatch]:
        """A school counts beside a child, a time, or pickup and drop-off words; alone it is
        the school's own news ("Fairhaven Elementary holds its bake sale")."""
        found = []
        for school in self._schools:
            for m in school.finditer(text):
                window = text[max(0, m.start() - 80):m.end() + 80]
                timed = _TIME.search(window)
                if not timed and not self._children.search(window):
                    continue
                found.append(IdentifierMatch(
                    "school", m.span(), 0.93 if timed else 0.88,
                    "names a school the official's children attend, with a time" if timed
                    else "names a school the official's children attend"))
        return found

    def _find_plates(self, text: str) -> list[IdentifierMatch]:
        return [IdentifierMatch("vehicle", m.span(), 0.9, "reveals the official's vehicle plate")
                for plate in self._plates for m in plate.finditer(text)]

    def _find_usernames(self, text: str) -> list[IdentifierMatch]:
        return [IdentifierMatch("username", m.span(), 0.9,
                                "names one of the official's personal accounts")
                for pattern in self._usernames for m in pattern.finditer(text)]

    def _find_names(self, text: str, taken: list[tuple[int, int]]) -> list[IdentifierMatch]:
        found: list[IdentifierMatch] = []
        for pattern, kind in self._names:
            for m in pattern.finditer(text):
                if any(s < m.end() and m.start() < e for s, e in taken):
                    continue
                taken.append(m.span())
                found.append(IdentifierMatch(
                    kind, m.span(), 0.6 if kind == "name" else 0.75,
                    "names the official" if kind == "name"
                    else "names a member of the official's family"))
        return found


@lru_cache(maxsize=64)
def for_profile(profile: ProtectedProfile) -> IdentifierMatcher:
    """The matcher for a profile, built once."""
    return IdentifierMatcher(profile)


class _FamilyName:
    def __init__(self, name: str) -> None:
        self.full = _words(name)
        first = name.split()[0] if name.split() else name
        self.first = re.compile(rf"\b{re.escape(first)}\b")  # a first name is capitalised


def _words(text: str) -> re.Pattern[str]:
    return re.compile(r"\b" + r"\s+".join(re.escape(p) for p in text.split()) + r"\b",
                      re.IGNORECASE)


def _name_pattern(name: str) -> re.Pattern[str] | None:
    """A person's name as written in records: "Maria Rivera", "M. Rivera", "Maria T. Rivera",
    "Rivera, Maria", "RIVERA MARIA T"."""
    parts = [p for p in re.split(r"\s+", name.strip()) if p.strip(".")]
    if len(parts) < 2:
        return None
    first, last = re.escape(parts[0]), re.escape(parts[-1])
    initial = re.escape(parts[0][0])
    middles = [re.escape(p.strip(".")) for p in parts[1:-1]]
    middle = r"(?:\s+(?-i:[A-Z])\.?(?!\w)" + "".join(f"|\\s+{m}" for m in middles) + ")?"
    given = rf"(?:{first}|{initial}\.?)"
    return re.compile(rf"\b(?:{given}{middle}\s+{last}|{last},?\s+{first}{middle})\b",
                      re.IGNORECASE)


def _username_pattern(username: str) -> re.Pattern[str] | None:
    """A personal account, by its handle alone ("maria.at.home" as "@maria.at.home" or in a
    profile link)."""
    handle = username.strip().rstrip("/").split("/")[-1].lstrip("@").strip()
    if len(handle) < 3:
        return None
    return re.compile(rf"(?<![\w.]){re.escape(handle)}(?![\w])", re.IGNORECASE)


def _plate_pattern(vehicle: str) -> re.Pattern[str] | None:
    plate = re.search(r"\b(?=[A-Z0-9-]*\d)(?=[A-Z0-9-]*[A-Z])[A-Z0-9][A-Z0-9 -]{3,9}[A-Z0-9]\b",
                      vehicle.upper().split("PLATE")[-1])
    if plate is None:
        return None
    chars = [c for c in plate.group(0) if c.isalnum()]
    return re.compile(r"(?<![A-Za-z0-9])" + r"[\s-]?".join(map(re.escape, chars))
                      + r"(?![A-Za-z0-9])", re.IGNORECASE)


def _phone_keys(phones: tuple[str, ...]) -> frozenset[str]:
    keys = set()
    for phone in phones:
        try:
            keys.add(str(phonenumbers.parse(phone, "US").national_number))
        except phonenumbers.NumberParseException:
            digits = re.sub(r"\D", "", phone)
            if len(digits) >= 7:
                keys.add(digits[-10:])
    return frozenset(keys)


def _digit_runs(text: str) -> list[tuple[int, int, str]]:
    """Runs of digits and digit words ("nine one six") with only separators between them, never
    across the end of a sentence or a paragraph (a line wrapped inside a number still counts)."""
    runs: list[tuple[int, int, str]] = []
    start = end = -1
    digits = ""
    for token in _DIGIT_TOKEN.finditer(text):
        gap = text[end:token.start()]
        if start >= 0 and re.fullmatch(_SEPARATORS, gap) and not _ENDS_SENTENCE.search(gap):
            digits += _DIGIT_WORDS.get(token.group(0).lower(), token.group(0))
            end = token.end()
            continue
        if len(digits) >= 7:
            runs.append((start, end, digits))
        start, end = token.start(), token.end()
        digits = _DIGIT_WORDS.get(token.group(0).lower(), token.group(0))
    if len(digits) >= 7:
        runs.append((start, end, digits))
    return runs


def _numbers_before(before: str) -> tuple[set[int], int]:
    """The house number just before a street name (digits or words), with where it starts."""
    digits = re.search(r"(\d+)[a-z]?\s+(?:(?:n|s|e|w|ne|nw|se|sw|north|south|east|west)\.?\s+)?$",
                       before, re.IGNORECASE)
    if digits:
        return {int(digits.group(1))}, digits.start()
    words = re.search(rf"((?:\b(?:{_NUMBER_WORD}|and)\b[\s\-]*)+)"
                      r"(?:(?:n|s|e|w|north|south|east|west)\.?\s+)?$", before, re.IGNORECASE)
    if words:
        return words_to_number(words.group(1)), words.start()
    return set(), 0


def _names_street(before: str, after: str, address: _Address) -> bool:
    """True when a bare street name reads as the street: "on Larkspur" or "Larkspur Lane"."""
    typed = re.match(r"\s*([A-Za-z]+)", after)
    if typed and address.street_type and _street_type(typed.group(1)) == address.street_type:
        return True
    return bool(re.search(r"\b(?:on|off|along|down)\s+(?:the\s+)?$", before, re.IGNORECASE))


def _tail_length(after: str, address: _Address) -> int:
    """How many characters after the street name still belong to the address (type, unit)."""
    tail = re.match(rf"(?:\s+[A-Za-z]+\.?)?(?:,?\s*(?:apt|apartment|unit|suite|ste|no|#)\.?\s*#?\s*"
                    rf"{_UNIT}|,?\s*#\s*{_UNIT})?", after, re.IGNORECASE)
    if tail is None:
        return 0
    typed = re.match(r"\s+([A-Za-z]+)", tail.group(0))
    if typed and address.street_type and _street_type(typed.group(1)) != address.street_type:
        return 0
    text = tail.group(0).rstrip()
    if text.endswith(".") and typed and _street_type(typed.group(1)) != typed.group(1).lower():
        text = text[:-1]  # "Lane." ends a sentence; "Ln." is an abbreviation
    return len(text)


def _has_suffix(after: str, address: _Address) -> bool:
    """True when the words after the street name are its type ("Ln", "Lane") or nothing typed."""
    head = re.match(r"\s*([A-Za-z]+)\.?", after)
    if head is None:
        return True
    word = head.group(1).lower()
    try:
        tagged, _ = usaddress.tag(f"1 Main {word}")
    except usaddress.RepeatedLabelError:
        return False
    typed = tagged.get("StreetNamePostType", "")
    if not typed:
        return True
    wanted = address.street_type
    return not wanted or _street_type(typed) == wanted


@lru_cache(maxsize=256)
def _street_type(word: str) -> str:
    try:
        line = normalize_address_record(f"1 Main {word}, Springfield, IL 62701")["address_line_1"]
    except (AddressNormalizationError, KeyError, TypeError, ValueError):
        return word.lower()
    return str(line.split()[-1].lower())


#: A unit as written after "Apt", "Unit" or "#": "2B", "3-C", "12", "C-3".
_UNIT = r"(?:[0-9]+(?:-?[A-Za-z])?|[A-Za-z](?:-?[0-9]+)?)\b"
_UNIT_AFTER_MARKER = re.compile(rf"(?:apt|apartment|unit|suite|ste|no|#)\.?\s*#?\s*({_UNIT})",
                                re.IGNORECASE)
#: A town after the street: ", Fairhaven" or " in Acushnet", ended by punctuation, a state or a
#: ZIP (so that "812 Old Mill Road, the gray house" names no town); in a table row without
#: headers, the next cell (" | Westport") when the cell after it is a state or a ZIP.
_TOWN = re.compile(r"\s*(?:,\s*|\s+in\s+)(?P<town>[A-Z][A-Za-z'.-]*(?:\s+[A-Z][A-Za-z'.-]*){0,2}?)"
                   r"(?=\s*(?:,|\.(?:\s|$)|;|!|\?|\n|\||$|\s+(?:[A-Z]{2}\b|\d{5})))"
                   r"|\s*\|\s*(?P<cell>[A-Z][A-Za-z'.-]*(?:\s+[A-Z][A-Za-z'.-]*){0,2})"
                   r"(?=\s*\|\s*(?:[A-Z]{2}|\d{5})\b)")
_ZIP = re.compile(r"(?<!\d)(\d{5})(?:-\d{4})?(?!\d)")
_NOT_TOWNS = frozenset({"apt", "apartment", "unit", "suite", "ste", "floor", "the", "please",
                        "thanks", "call", "room", "box", "po", "north", "south", "east", "west",
                        "second", "third", "first", "near", "next"})
_STATE_NAMES = frozenset({
    "alabama", "alaska", "arizona", "arkansas", "california", "colorado", "connecticut",
    "delaware", "florida", "georgia", "hawaii", "idaho", "illinois", "indiana", "iowa", "kansas",
    "kentucky", "louisiana", "maine", "maryland", "massachusetts", "michigan", "minnesota",
    "mississippi", "missouri", "montana", "nebraska", "nevada", "ohio", "oklahoma", "oregon",
    "pennsylvania", "tennessee", "texas", "utah", "vermont", "virginia", "washington",
    "wisconsin", "wyoming", "new", "north", "south", "west", "rhode", "island", "hampshire",
    "jersey", "mexico", "york", "carolina", "dakota"})
#: Words that make a street mention about the street, not about one house on it.
_STREET_EVENT = re.compile(
    r"\b(?:sale|sold|closed|closure|closing|repav\w*|detour|parade|race|5k|party|festival|fair"
    r"|market|meeting|meets?|bridge|construction|sewer|sidewalk|pickup|trash|lost|found|accident"
    r"|crash|bus|route|derby|zoning|hearing|residents|apartments|leasing|project)\b",
    re.IGNORECASE)


@dataclass(frozen=True)
class _Place:
    """The town and ZIP written after a street address, and how far they reach."""

    town: str = ""
    zip: str = ""
    town_end: int = 0
    zip_end: int = 0

    def differs(self, address: _Address) -> bool:
        """True when the text names another town or ZIP than the home's."""
        return bool((self.zip and address.zip and self.zip != address.zip)
                    or (self.town and address.town and self.town != address.town))

    def matched(self, address: _Address) -> list[str]:
        """Which of the town and ZIP are the home's."""
        return (["town"] if self.town and self.town == address.town else []) + \
            (["ZIP"] if self.zip and self.zip == address.zip else [])

    def length(self, address: _Address) -> int:
        """How much of the text after the address the span takes in (what matched)."""
        return max(self.zip_end if self.zip and self.zip == address.zip else 0,
                   self.town_end if self.town and self.town == address.town else 0)


def _place_after(rest: str) -> _Place:
    """The town and ZIP that follow an address in the same sentence, if any."""
    sentence = re.split(r"[.!?](?:\s|$)|\n", rest, maxsplit=1)[0]
    town, town_end = "", 0
    found = _TOWN.match(sentence)
    if found:
        group = "town" if found.group("town") is not None else "cell"
        words = found.group(group).split()
        while words and words[-1].lower().strip(".") in _STATE_NAMES:
            words.pop()
        if words and words[0].lower().strip(".") not in _NOT_TOWNS and not (
                len(words) == 1 and re.fullmatch(r"[A-Z]{2}", words[0])):
            town, town_end = " ".join(words).lower().strip("."), found.end(group)
    code = _ZIP.search(sentence[:60])
    return _Place(town, code.group(1) if code else "", town_end, code.end() if code else 0)


def _unit_in(text: str) -> str:
    """The unit written in an address's tail ("Apt 3-C" gives "3c"), or ""."""
    found = _UNIT_AFTER_MARKER.search(text)
    return _plain(found.group(1)) if found else ""


def _plain(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _people_pattern(profile: ProtectedProfile) -> re.Pattern[str]:
    """Words that tie a street to the official: pronouns, living words, their names."""
    names = {w for n in (profile.name, *profile.aliases) for w in n.split() if len(w) > 2}
    return re.compile(r"\b(?:she|he|her|hers|him|his|their|theirs|they|them|lives?|living|moved"
                      r"|sleeps|mayor"
                      r"|councilor|councilwoman|councilman|official"
                      + "".join(f"|{re.escape(n)}" for n in sorted(names)) + r")(?:'s)?\b",
                      re.IGNORECASE)


def _about_the_house(window: str, address: _Address, people: re.Pattern[str]) -> bool:
    """True when words around a bare street name describe the official's house: a house word
    and a word about the official (or the home's own unit), and neither an event on the
    street nor another house number on it."""
    if not re.search(rf"\b(?:{_HOUSE_WORDS})\b", window, re.IGNORECASE):
        return False
    if _STREET_EVENT.search(window):
        return False
    street = re.escape(address.street).replace(r"\ ", r"\s+")
    if any(n.group(1) != address.number for n in
           re.finditer(rf"\b(\d+)\s+{street}\b", window, re.IGNORECASE)):
        return False
    own_unit = bool(address.unit) and _unit_in(window) == _plain(address.unit)
    return own_unit or bool(people.search(window))



#: What a school's type may be written as: "Elementary", "Elementary School", "Elem.", "ES".
_SCHOOL_TYPES = {
    "elementary": r"Elementary(?:\s+School)?|Elem\.?|(?-i:E\.?S\.?)",
    "middle": r"Middle(?:\s+School)?|(?-i:M\.?S\.?)",
    "high": r"High(?:\s+School)?|(?-i:H\.?S\.?)",
    "intermediate": r"Intermediate(?:\s+School)?",
}


def _school_pattern(school: str) -> re.Pattern[str]:
    """A school as people write it: "Fairhaven Elementary", "Fairhaven Elementary School",
    "Fairhaven Elem.", "Fairhaven ES"."""
    words = school.split()
    lowered = [w.lower() for w in words]
    for i, word in enumerate(lowered):
        if word in _SCHOOL_TYPES and i > 0:
            core = r"\s+".join(re.escape(w) for w in words[:i])
            return re.compile(rf"\b{core}\s+(?:{_SCHOOL_TYPES[word]})(?!\w)", re.IGNORECASE)
    return _words(school)


def _children_pattern(profile: ProtectedProfile) -> re.Pattern[str]:
    """Words that put a child beside a school: family words, school-day words, the family's
    names."""
    names = {w for n in profile.family for w in n.split()[:1] if len(w) > 1}
    return re.compile(rf"\b(?:{_FAMILY_WORDS}|grade|grader|class|student|pupil|classroom|bus)s?"
                      + "".join(f"|{re.escape(n)}" for n in sorted(names)) + r"\b",
                      re.IGNORECASE)


def _inside_digits(text: str, start: int, end: int) -> bool:
    """True when a number sits inside a longer string of digits: other digits touch it, or
    follow or precede it across a single separator ("Order #15085550164773", "2026-...-CV")."""
    before, after = text[max(0, start - 2):start], text[end:end + 2]
    return bool(re.search(r"\d[\s.\-/]?$", before) or re.match(r"[\s.\-/]?\d", after))

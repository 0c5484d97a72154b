"""Removal request letters: the statute's demand, a data broker's opt-out, or a general request.

Pure functions from facts to text. Parts the sender must write themselves (a threat statement
the law requires, a signature) are left as ``[[...]]`` placeholders; a request cannot be marked
sent while one remains. The letters are drafts for people to check, not legal advice.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime

from civicshield.domain.brokers import Broker
from civicshield.domain.exposure import KINDS
from civicshield.domain.laws import BROKER_OPTOUT, Basis

PLACEHOLDER = re.compile(r"\[\[[^\]]*\]\]")
_DATA_WORDS = {
    "home_address": "home address", "past_address": "former home address",
    "phone": "personal telephone number", "email": "personal email address",
    "family": "family member's name", "school": "child's school", "vehicle": "vehicle plate",
    "username": "personal account", "separation": "personal information",
}


@dataclass(frozen=True)
class LetterFacts:
    """What a removal letter needs to say."""

    official_name: str
    office: str  # "Mayor of Riverton"
    role: str
    basis: Basis
    kind: str
    data: tuple[str, ...]  # the exposed values, as they appear
    locations: tuple[str, ...]
    addressee: str
    date: datetime
    agent: str = ""  # "City of Riverton", when the city sends the demand as agent
    broker: Broker | None = None


def placeholders(body: str) -> list[str]:
    """The parts still to be filled in."""
    return PLACEHOLDER.findall(body)


def subject(facts: LetterFacts) -> str:
    """The letter's subject line."""
    what = _DATA_WORDS.get(facts.kind, "personal information")
    if facts.basis.statute:
        return f"Demand to remove an official's {what} under {facts.basis.statute.citation}"
    if facts.basis.kind == BROKER_OPTOUT:
        return f"Opt-out and removal request: {facts.official_name}"
    if facts.basis.kind == "ca-drop":
        return f"California DROP deletion request: {facts.official_name}"
    return f"Request to remove the {what} of {facts.official_name}"


#: Where California's Delete Request and Opt-out Platform takes requests.
DROP_URL = "https://consumer.drop.privacy.ca.gov"


def letter(facts: LetterFacts) -> str:
    """The letter's text (for DROP, the steps to file it, since DROP is not a letter)."""
    if facts.basis.kind == "ca-drop":
        return _drop_steps(facts)
    parts = [facts.date.strftime("%d %B %Y").lstrip("0"), f"To: {facts.addressee}", "",
             f"Re: {subject(facts)}", "", "To whom it may concern,", ""]
    parts += _opening(facts)
    parts += ["", "The information appears at:", *[f"  - {loc}" for loc in facts.locations], ""]
    parts += ["The information to remove:", *[f"  - {d}" for d in facts.data], ""]
    parts += _demand(facts)
    parts += ["", "Please confirm in writing when the information has been removed.", "",
              "Sincerely,", "", "[[signature]]", facts.agent or facts.official_name]
    if facts.agent:
        parts.append(f"on behalf of {facts.official_name}, {facts.office}")
    return "\n".join(parts) + "\n"


def _drop_steps(facts: LetterFacts) -> str:
    lines = [f"California DROP request for {facts.official_name}", "",
             "DROP is filed once, online, and reaches every data broker registered in California,",
             f"{facts.addressee} included. It is not a letter to send.", "",
             f"1. Go to {DROP_URL} and create a profile; California residency is verified.",
             "2. Add these identifiers:", *[f"     - {d}" for d in facts.data],
             "3. Submit the deletion request. File separately for each household member.",
             "4. Record the date you submitted it here (mark this request sent on that date).",
             "", "Registered brokers must retrieve requests at least every 45 days and delete "
             "within 45 days of retrieving them (from 1 August 2026). civicshield sets the due "
             "date 90 days after filing; re-scan the people-search sites then, and send a "
             "Government Code 7928.215 demand to any site still showing the home address or "
             "phone.", "", "Filed by: [[name of the person who filed it]]"]
    return "\n".join(lines) + "\n"


def _opening(facts: LetterFacts) -> list[str]:
    who = f"{facts.official_name}, {facts.office}" if facts.office else facts.official_name
    if facts.agent:
        return [f"{facts.agent} writes as the designated agent of {who}."]
    return [f"I am {who}."]


def _demand(facts: LetterFacts) -> list[str]:
    statute = facts.basis.statute
    if statute is None and facts.basis.kind == BROKER_OPTOUT and facts.broker:
        return _broker_optout(facts.broker)
    if statute is None:
        return ["I ask you to remove this information and not to publish it again. It is private "
                "information about a public official and their household, and its publication "
                "puts their safety at risk."]
    when = (f"within {statute.deadline} of receiving this letter" if statute.deadline
            else "without delay")
    lines = [f"Under {statute.citation}, I demand that you remove this information {when}, "
             "that you do not post it again on any site you maintain, and that you do not sell, "
             "trade or otherwise transfer it."]
    if "*" in statute.covered_roles:
        lines = [f"Under {statute.citation}, I ask you to delete all personal information you "
                 "hold about me, including the information above, and to tell any service "
                 "providers or third parties you passed it to to do the same."
                 + (f" The law gives you {statute.deadline} to respond." if statute.deadline
                    else "")]
    if statute.needs_threat_statement(facts.role):
        lines += ["", "Statement of threat or fear for safety (required by law for this office):",
                  "[[describe the threat or the fear for the safety of the official or of anyone "
                  "living at the address]]"]
    if statute.validity_years:
        lines += ["", f"This demand remains in force for {statute.validity_years} years."]
    return lines


def _broker_optout(broker: Broker) -> list[str]:
    lines = [f"I ask {broker.name} to remove every listing about me and my household and to "
             "suppress it from future updates of your records."]
    if broker.optout_url:
        lines.append(f"I am also using your opt-out process at {broker.optout_url}.")
    return lines


def email_draft(to: str, subject_line: str, body: str, date: datetime) -> bytes:
    """The letter as an unsent email (.eml) to open in a mail program."""
    message = EmailMessage()
    message["To"] = to
    message["Subject"] = subject_line
    message["Date"] = format_datetime(date)
    message["X-Unsent"] = "1"
    message.set_content(body)
    return bytes(message)


def data_label(kind: str) -> str:
    """Screen words for a finding kind."""
    return KINDS.get(kind, kind)

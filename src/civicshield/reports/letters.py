"""Letters drafted from an incident: a preservation request under 18 U.S.C. 2703(f), for law
enforcement to sign and send to a platform, and a report summary for a platform's trust and safety
team. Both are plain, editable text; ``letter_pdf`` renders either as a PDF.

A private person cannot compel preservation: only a governmental entity can. The preservation
letter therefore leaves the agency, officer and case fields for the police to fill in.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from civicshield.domain.evidence import Incident
from civicshield.domain.models import StoredMessage
from civicshield.domain.provenance import provider_name

#: A preservation request covers this long before the first message (accounts are often set up
#: and used for weeks before they write to the official).
LOOKBACK = timedelta(days=90)


def _utc(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def by_provider(messages: Sequence[StoredMessage]) -> dict[str, list[StoredMessage]]:
    """Messages grouped by the provider that holds them, named (one letter per provider: each
    Mastodon server and each mail domain is its own)."""
    groups: dict[str, list[StoredMessage]] = defaultdict(list)
    for m in sorted(messages, key=lambda m: m.created_at):
        groups[provider_name(m.platform, m.url or m.sender.external_id,
                             m.sender.external_id)].append(m)
    return dict(groups)


def _accounts(messages: Sequence[StoredMessage]) -> list[str]:
    seen: dict[str, str] = {}
    for m in messages:
        seen.setdefault(m.sender.external_id, f"- {m.sender.label}: account id "
                                              f"{m.sender.external_id}")
    return list(seen.values())


def _items(messages: Sequence[StoredMessage]) -> list[str]:
    return [f"- {_utc(m.created_at)}: message id {m.external_id}"
            + (f", {m.url}" if m.url else "") for m in messages]


def preservation_request(incident: Incident, provider: str,
                         messages: Sequence[StoredMessage], today: datetime) -> str:
    """A draft 2703(f) letter for one provider, for a law enforcement agency to send. The period
    runs from 90 days before the first message to today."""
    first = messages[0].created_at - LOOKBACK
    reports = ", ".join(incident.police_reports) or "[case number]"
    return "\n".join([
        "[AGENCY LETTERHEAD]",
        "",
        f"Date: {today:%B %d, %Y}",
        f"To: {provider}, Law Enforcement Response Team",
        f"Re: Preservation request under 18 U.S.C. 2703(f); case {reports}",
        "",
        "Dear Custodian of Records:",
        "",
        "Pursuant to 18 U.S.C. 2703(f), this agency requests that you take all necessary steps",
        "to preserve the records and other evidence in your possession, listed below, pending",
        "the issuance of a court order or other legal process. Please preserve them for 90 days;",
        "we may ask for a further 90 days.",
        "",
        "Accounts:",
        *_accounts(messages),
        "",
        f"Period: {_utc(first)} (90 days before the first message) to {_utc(today)}",
        "",
        "Content and records to preserve:",
        *_items(messages),
        "- the stored contents of these accounts' posts, comments and messages in the period,",
        "  including deleted items still retained;",
        "- subscriber information: names, email addresses, phone numbers, account creation date",
        "  and recovery details;",
        "- connection logs and IP addresses with dates and times;",
        "- other accounts linked to these accounts by cookies, devices, email or phone.",
        "",
        "Please do not disclose this request to the account holders: disclosure could hinder an",
        "investigation of threats against a public official.",
        "",
        "Contact: [officer name, title, phone, email]",
        "",
        "Sincerely,",
        "",
        "[signature]",
        "[officer name and title], [agency]",
        "",
        f"(Drafted by civicshield from incident {incident.id}, \"{incident.title}\". A private",
        "person cannot compel preservation under 2703(f); this draft is for law enforcement.)",
    ])


def platform_report(incident: Incident, principal: str, provider: str,
                    messages: Sequence[StoredMessage]) -> str:
    """A report summary for a provider's trust and safety team."""
    labels = sorted({flag for m in messages for flag in m.flags})
    lines = [
        f"Report to {provider}: abuse targeting {principal}",
        "",
        f"Incident: {incident.title} (civicshield incident {incident.id})",
        f"Police reports: {', '.join(incident.police_reports) or 'none yet'}",
        f"What it shows: {', '.join(label.replace('_', ' ') for label in labels) or 'abuse'}",
        "",
        "Accounts reported:",
        *_accounts(messages),
        "",
        "Messages (oldest first):",
    ]
    for m in messages:
        text = " ".join(m.text.split())
        lines += [f"- {_utc(m.created_at)}, message id {m.external_id}"
                  + (f", {m.url}" if m.url else ""),
                  f"  \"{text[:300]}{'…' if len(text) > 300 else ''}\""]
    lines += ["", "We ask that you review these accounts under your policies on threats, "
              "harassment and private information, preserve the content, and tell us what action "
              "you take.", "", "Contact: [name, office, phone, email]"]
    return "\n".join(lines)

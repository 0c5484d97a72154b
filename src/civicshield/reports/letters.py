"""Letters drafted from an incident: a preservation request under 18 U.S.C. 2703(f), for law
enforcement to sign and send to a platform, and a report summary for a platform's trust and safety
team. Both are plain, editable text; ``letter_pdf`` renders either as a PDF.

A private person cannot compel preservation: only a governmental entity can. The preservation
letter therefore leaves the agency, officer and case fields for the police to fill in.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime

from civicshield.domain.evidence import Incident
from civicshield.domain.models import StoredMessage

PLATFORM_NAMES = {"x": "X Corp.", "facebook": "Meta Platforms, Inc. (Facebook)",
                  "instagram": "Meta Platforms, Inc. (Instagram)", "bluesky": "Bluesky Social, PBC",
                  "mastodon": "the Mastodon server operator", "email": "the email provider",
                  "webform": "the city's web form host", "other": "the service provider"}


def _utc(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def by_platform(messages: Sequence[StoredMessage]) -> dict[str, list[StoredMessage]]:
    """Messages grouped by the platform that holds them (one letter per provider)."""
    groups: dict[str, list[StoredMessage]] = defaultdict(list)
    for m in sorted(messages, key=lambda m: m.created_at):
        groups[m.platform].append(m)
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


def preservation_request(incident: Incident, platform: str,
                         messages: Sequence[StoredMessage], today: datetime) -> str:
    """A draft 2703(f) letter for one provider, for a law enforcement agency to send."""
    first, last = messages[0].created_at, messages[-1].created_at
    reports = ", ".join(incident.police_reports) or "[case number]"
    return "\n".join([
        "[AGENCY LETTERHEAD]",
        "",
        f"Date: {today:%B %d, %Y}",
        f"To: {PLATFORM_NAMES.get(platform, platform)}, Law Enforcement Response Team",
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
        f"Period: {_utc(first)} to {_utc(last)}",
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


def platform_report(incident: Incident, principal: str, platform: str,
                    messages: Sequence[StoredMessage]) -> str:
    """A report summary for a platform's trust and safety team."""
    labels = sorted({flag for m in messages for flag in m.flags})
    lines = [
        f"Report to {PLATFORM_NAMES.get(platform, platform)}: abuse targeting {principal}",
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

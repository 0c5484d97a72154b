"""Incidents and evidence: open a case from messages, capture originals, keep the chain of custody,
verify it and export a packet for police, platforms and lawyers.

Every act on evidence goes into the hash-chained ledger in the same transaction as the act.
Originals are encrypted at rest and leave the store decrypted only in an export, which the
ledger records. Viewers never export.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from civicshield.domain.access import require
from civicshield.domain.errors import InvalidInputError
from civicshield.domain.evidence import (
    EvidenceItem,
    Incident,
    IncidentStatus,
    LedgerAction,
    LedgerEntry,
    Severity,
    Verification,
    sha256_hex,
    verify,
)
from civicshield.domain.models import Role, StoredMessage, User
from civicshield.reports.contents import PacketContents
from civicshield.reports.letters import by_platform, platform_report, preservation_request
from civicshield.reports.packet import write_packet
from civicshield.services.context import ServiceContext
from civicshield.storage.repository import SqlRepository

#: The letters an incident can produce.
LETTER_KINDS = ("preservation", "platform")
#: Largest attachment staff can add (a screenshot, a PDF, an .eml).
MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024


def redacted(message: StoredMessage) -> StoredMessage:
    """The message with the protected person's private details (doxxing spans) blacked out,
    for staff who may read incidents but not handle evidence."""
    text = message.text
    for f in sorted((f for f in message.findings if f.label == "doxxing" and f.span),
                    key=lambda f: f.span or (0, 0), reverse=True):
        start, end = f.span or (0, 0)
        text = text[:start] + "█" * (end - start) + text[end:]
    return replace(message, text=text)


@dataclass(frozen=True)
class IncidentView:
    """An incident with its evidence, messages and ledger, for a page or a report."""

    incident: Incident
    items: list[EvidenceItem]
    messages: list[StoredMessage]
    ledger: list[LedgerEntry]



class Incidents:
    """The incident and evidence part of the service."""

    def __init__(self, context: ServiceContext) -> None:
        self.context = context
        self.clock = context.clock

    def open(self, actor: User, title: str, message_ids: Sequence[int], *,
             severity: Severity = Severity.MEDIUM, notes: str = "") -> Incident:
        """Open an incident from one or more messages and capture them as evidence."""
        require(actor, Role.ANALYST)
        title = title.strip()
        if not title or len(title) > 300:
            raise InvalidInputError("an incident needs a title of 1 to 300 characters")
        if not message_ids:
            raise InvalidInputError("an incident starts from at least one message")
        with self.context.transaction() as repo:
            first = repo.message(message_ids[0])
            incident_id = repo.evidence.add_incident(first.principal_id, title, severity,
                                                     notes, actor.username, self.clock())
            repo.audit(actor.username, "incident.opened", f"incident:{incident_id}", title)
            self._capture(repo, actor, incident_id, message_ids)
            return repo.evidence.incident(incident_id)

    def add_messages(self, actor: User, incident_id: int, message_ids: Sequence[int]) -> int:
        """Capture more messages into an incident; returns how many were new."""
        require(actor, Role.ANALYST)
        with self.context.transaction() as repo:
            repo.evidence.incident(incident_id)
            return self._capture(repo, actor, incident_id, message_ids)

    def _capture(self, repo: SqlRepository, actor: User, incident_id: int,
                 message_ids: Sequence[int]) -> int:
        known = repo.evidence.message_ids(incident_id)
        added = 0
        for message_id in dict.fromkeys(message_ids):
            if message_id in known:
                continue
            raw = repo.raw_payload(message_id)
            source = repo.message_source(message_id)
            digest = sha256_hex(raw)
            if digest != source["raw_sha256_at_import"]:
                raise InvalidInputError(f"message {message_id}: its stored original no longer "
                                        "matches the hash taken at import; not captured")
            now = self.clock()
            item_id = repo.evidence.add_item(
                incident_id, "message", f"message-{message_id}.raw", raw, digest, now,
                actor.username, source, message_id=message_id)
            repo.evidence.append(now, actor.username, LedgerAction.CAPTURED.value, incident_id,
                                 item_id, {"sha256": digest, "message": message_id})
            added += 1
        return added

    def attach(self, actor: User, incident_id: int, file_name: str, content: bytes,
               note: str = "") -> int:
        """Add a staff file (screenshot, PDF, .eml) to an incident, with its own hash."""
        require(actor, Role.ANALYST)
        name = Path(file_name).name.strip()
        if not name:
            raise InvalidInputError("an attachment needs a file name")
        if len(content) > MAX_ATTACHMENT_BYTES:
            raise InvalidInputError(f"{name}: larger than {MAX_ATTACHMENT_BYTES // 2**20} MB")
        with self.context.transaction() as repo:
            repo.evidence.incident(incident_id)
            digest, now = sha256_hex(content), self.clock()
            item_id = repo.evidence.add_item(incident_id, "attachment", name, content, digest,
                                             now, actor.username, {"note": note[:500],
                                                                   "added_by": actor.username})
            repo.evidence.append(now, actor.username, LedgerAction.ATTACHED.value, incident_id,
                                 item_id, {"sha256": digest, "file": name})
            return item_id

    def update(self, actor: User, incident_id: int, *, status: IncidentStatus | None = None,
               severity: Severity | None = None, note: str = "", police_report: str = "",
               involved: str = "") -> Incident:
        """Change status or severity, add a note, a police report number or a person involved."""
        require(actor, Role.ANALYST)
        with self.context.transaction() as repo:
            incident = repo.evidence.incident(incident_id)
            values: dict[str, object] = {}
            if status is not None:
                values["status"] = status
            if severity is not None:
                values["severity"] = severity
            if note.strip():
                stamp = f"[{self.clock():%Y-%m-%d %H:%M} UTC, {actor.username}] "
                values["notes"] = (incident.notes + "\n" if incident.notes else "") + stamp + \
                    note.strip()
            if police_report.strip():
                values["police_reports"] = (*incident.police_reports, police_report.strip()[:100])
            if involved.strip():
                values["involved"] = (*incident.involved, involved.strip()[:200])
            if not values:
                raise InvalidInputError("nothing to change")
            repo.evidence.update_incident(incident_id, self.clock(), **values)
            details = {k: v if isinstance(v, str) else getattr(v, "value", str(v))
                       for k, v in values.items() if k != "notes"}
            if "notes" in values:
                details["note"] = note.strip()[:200]
            repo.evidence.append(self.clock(), actor.username, LedgerAction.ANNOTATED.value,
                                 incident_id, None, details)
            repo.audit(actor.username, "incident.updated", f"incident:{incident_id}")
            return repo.evidence.incident(incident_id)

    def overview(self, actor: User) -> list[tuple[Incident, int]]:
        """Every incident with its number of evidence items, newest first."""
        require(actor, Role.VIEWER)
        with self.context.transaction() as repo:
            found = repo.evidence.incidents()
            counts = repo.evidence.counts([i.id for i in found])
            return [(i, counts.get(i.id, 0)) for i in found]

    def view(self, actor: User, incident_id: int) -> IncidentView:
        """An incident with its evidence and ledger; the view is itself recorded."""
        require(actor, Role.VIEWER)
        with self.context.transaction() as repo:
            incident = repo.evidence.incident(incident_id)
            repo.evidence.append(self.clock(), actor.username, LedgerAction.VIEWED.value,
                                 incident_id, None, {})
            items = repo.evidence.items(incident_id)
            messages = [repo.message(i.message_id) for i in items if i.message_id is not None]
            if not actor.role.allows(Role.ANALYST):
                messages = [redacted(m) for m in messages]
            return IncidentView(incident, items, sorted(messages, key=lambda m: m.created_at),
                                repo.evidence.entries(incident_id))

    def redact(self, actor: User, item_id: int, phrases: Sequence[str]) -> int:
        """Make a redacted copy of an item (each phrase blacked out), pointing back to it.
        The original is never changed."""
        require(actor, Role.ANALYST)
        wanted = [p for p in (p.strip() for p in phrases) if p]
        if not wanted:
            raise InvalidInputError("name at least one phrase to black out")
        with self.context.transaction() as repo:
            source, data = repo.evidence.item(item_id)
            for phrase in wanted:
                data = data.replace(phrase.encode(), "█".encode() * len(phrase))
            digest, now = sha256_hex(data), self.clock()
            new_id = repo.evidence.add_item(
                source.incident_id, "redaction", f"redacted-{source.file_name}", data, digest,
                now, actor.username, {"redacted_from": str(item_id)}, derived_from=item_id)
            repo.evidence.append(now, actor.username, LedgerAction.REDACTED.value,
                                 source.incident_id, new_id,
                                 {"from_item": item_id, "sha256": digest,
                                  "phrases": len(wanted)})
            return new_id

    def letters(self, actor: User, incident_id: int, kind: str) -> list[tuple[str, str]]:
        """Draft letters, one per platform: ``preservation`` (18 U.S.C. 2703(f), for law
        enforcement to send) or ``platform`` (a report for trust and safety teams)."""
        require(actor, Role.ANALYST)
        if kind not in LETTER_KINDS:
            raise InvalidInputError(f"unknown letter {kind!r}: choose preservation or platform")
        with self.context.transaction() as repo:
            incident = repo.evidence.incident(incident_id)
            items = repo.evidence.items(incident_id)
            messages = [repo.message(i.message_id) for i in items if i.message_id is not None]
            principal = next(p for p in repo.principals() if p.id == incident.principal_id)
            repo.audit(actor.username, f"incident.letter.{kind}", f"incident:{incident_id}")
        today = self.clock()
        return [(platform, preservation_request(incident, platform, group, today)
                 if kind == "preservation"
                 else platform_report(incident, principal.display_name, platform, group))
                for platform, group in by_platform(messages).items()]

    def verify(self, actor: User) -> Verification:
        """Recompute every ledger hash, the chain and every item's SHA-256."""
        require(actor, Role.VIEWER)
        with self.context.transaction() as repo:
            return verify(repo.evidence.entries(), repo.evidence.item_contents(strict=False))

    def export(self, actor: User, incident_id: int, target: Path) -> Path:
        """Write the evidence packet (a ZIP) for an incident; recorded in the ledger first."""
        require(actor, Role.ANALYST)
        with self.context.transaction() as repo:
            incident = repo.evidence.incident(incident_id)
            repo.evidence.append(self.clock(), actor.username, LedgerAction.EXPORTED.value,
                                 incident_id, None, {"file": target.name})
            repo.audit(actor.username, "incident.exported", f"incident:{incident_id}",
                       target.name)
            principal = next(p for p in repo.principals() if p.id == incident.principal_id)
            evidence = repo.evidence
            contents = PacketContents(
                incident=incident, principal=principal.display_name, generated_at=self.clock(),
                generated_by=actor.username,
                messages=lambda: repo.incident_messages(incident_id),
                items=lambda: evidence.items(incident_id),
                originals=lambda: evidence.item_contents(incident_id),
                ledger=lambda: evidence.entries(incident_id))
            write_packet(target, contents)
        return target

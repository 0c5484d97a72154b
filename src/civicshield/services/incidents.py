"""Incidents and evidence: open a case from messages, capture originals, keep the chain of custody,
verify it (against receipts and packets held elsewhere too) and export a packet for police,
platforms and lawyers.

Every act on evidence goes into the signed, hash-chained ledger in the same transaction as the
act, with every fact a packet will show. Originals are encrypted at rest and leave the store
decrypted only in an export, which the ledger records. Viewers never export.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from civicshield.domain.access import require, visible_to
from civicshield.domain.custody import check_anchor, verify_store
from civicshield.domain.errors import ConfigError, InvalidInputError
from civicshield.domain.evidence import (
    EvidenceItem,
    Incident,
    IncidentStatus,
    LedgerAction,
    LedgerEntry,
    Notice,
    NoticeKind,
    Severity,
    Verification,
    fold_fields,
    incident_fields,
    item_facts,
    sha256_hex,
)
from civicshield.domain.models import Role, StoredMessage, User
from civicshield.domain.provenance import account_of, email_headers, original_name
from civicshield.notify.smtp import MailServer, send
from civicshield.reports.contents import CapturedMessage, PacketContents
from civicshield.reports.letters import by_provider, platform_report, preservation_request
from civicshield.reports.packet import original_path, write_packet
from civicshield.reports.receipt import read_anchor, receipt_payload, render_receipt
from civicshield.services.context import ServiceContext
from civicshield.storage.repository import SqlRepository

#: The letters an incident can produce.
LETTER_KINDS = ("preservation", "platform")
#: Largest attachment staff can add (a screenshot, a PDF, an .eml).
MAX_ATTACHMENT_BYTES = 25 * 1024 * 1024
#: A person's views of one incident are recorded in the chain of custody at most this often.
VIEW_RECORD_EVERY = timedelta(hours=1)


def message_facts(message: StoredMessage, raw: bytes) -> dict[str, Any]:
    """What a capture entry records of a message: as it was sent and as the platform names the
    sender, with the email headers that matter."""
    sender = message.sender
    facts: dict[str, Any] = {
        "platform": message.platform, "external_id": message.external_id, "url": message.url,
        "text": message.text, "subject": message.subject, "kind": message.kind,
        "private": message.private, "created_at": message.created_at.isoformat(),
        "sender_id": sender.external_id, "sender_handle": sender.handle,
        "sender_name": sender.display_name, "flags": list(message.flags),
        "account": account_of(message.platform, raw, sender.external_id, sender.handle)}
    if message.platform == "email":
        facts["headers"] = [list(h) for h in email_headers(raw)]
    return facts


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
        with self.context.transaction(write=True) as repo:
            first = repo.message(message_ids[0])
            now = self.clock()
            incident_id = repo.evidence.add_incident(first.principal_id, title, severity,
                                                     notes, actor.username, now)
            opened = repo.evidence.incident(incident_id)
            repo.evidence.append(now, actor.username, LedgerAction.OPENED.value, incident_id,
                                 None, {"incident": incident_fields(opened),
                                        "principal_id": opened.principal_id})
            repo.audit(actor.username, "incident.opened", f"incident:{incident_id}", title)
            self._capture(repo, actor, incident_id, message_ids)
            return repo.evidence.incident(incident_id)

    def add_messages(self, actor: User, incident_id: int, message_ids: Sequence[int]) -> int:
        """Capture more messages into an incident; returns how many were new."""
        require(actor, Role.ANALYST)
        with self.context.transaction(write=True) as repo:
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
            message, now = repo.message(message_id), self.clock()
            item_id = repo.evidence.add_item(
                incident_id, "message", original_name(message_id, message.platform, raw), raw,
                digest, now, actor.username, source, message_id=message_id)
            item = repo.evidence.item_record(item_id)
            repo.evidence.append(now, actor.username, LedgerAction.CAPTURED.value, incident_id,
                                 item_id, {"item": item_facts(item),
                                           "message": message_facts(message, raw)})
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
        with self.context.transaction(write=True) as repo:
            repo.evidence.incident(incident_id)
            digest, now = sha256_hex(content), self.clock()
            item_id = repo.evidence.add_item(incident_id, "attachment", name, content, digest,
                                             now, actor.username, {"note": note[:500],
                                                                   "added_by": actor.username})
            item = repo.evidence.item_record(item_id)
            repo.evidence.append(now, actor.username, LedgerAction.ATTACHED.value, incident_id,
                                 item_id, {"item": item_facts(item)})
            return item_id

    def update(self, actor: User, incident_id: int, *, status: IncidentStatus | None = None,
               severity: Severity | None = None, note: str = "", police_report: str = "",
               involved: str = "", notice: Notice | None = None,
               impact_statement: str | None = None) -> Incident:
        """Change status or severity, add a note, a police report number, a person involved or
        a notice to the sender (blocked, warned, reported, with its ticket), or set the victim
        impact statement. The ledger records each change exactly."""
        require(actor, Role.ANALYST)
        with self.context.transaction(write=True) as repo:
            incident = repo.evidence.incident(incident_id)
            now = self.clock()
            values, changes = _changes(incident, now, actor, status=status, severity=severity,
                                       note=note, police_report=police_report,
                                       involved=involved, notice=notice,
                                       impact_statement=impact_statement)
            repo.evidence.update_incident(incident_id, now, **values)
            repo.evidence.append(now, actor.username, LedgerAction.ANNOTATED.value,
                                 incident_id, None, {"changes": changes})
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
        """An incident with its evidence and ledger; the view is recorded in the chain of
        custody at most once an hour per person."""
        require(actor, Role.VIEWER)
        with self.context.transaction(write=True) as repo:
            repo.evidence.incident(incident_id)
            now, last = self.clock(), repo.evidence.last_view(incident_id, actor.username)
            if last is None or now - last >= VIEW_RECORD_EVERY:
                repo.evidence.append(now, actor.username, LedgerAction.VIEWED.value,
                                     incident_id, None, {})
            items = repo.evidence.items(incident_id)
            messages = [repo.message(i.message_id) for i in items if i.message_id is not None]
            messages = [visible_to(actor, m) for m in messages]
            return IncidentView(repo.evidence.incident(incident_id), items,
                                sorted(messages, key=lambda m: m.created_at),
                                repo.evidence.entries(incident_id))

    def redact(self, actor: User, item_id: int, phrases: Sequence[str]) -> int:
        """Make a redacted copy of an item (each phrase blacked out), pointing back to it.
        The original is never changed."""
        require(actor, Role.ANALYST)
        wanted = [p for p in (p.strip() for p in phrases) if p]
        if not wanted:
            raise InvalidInputError("name at least one phrase to black out")
        with self.context.transaction(write=True) as repo:
            source, data = repo.evidence.item(item_id)
            for phrase in wanted:
                data = data.replace(phrase.encode(), "█".encode() * len(phrase))
            digest, now = sha256_hex(data), self.clock()
            new_id = repo.evidence.add_item(
                source.incident_id, "redaction", f"redacted-{source.file_name}", data, digest,
                now, actor.username, {"redacted_from": str(item_id)}, derived_from=item_id)
            item = repo.evidence.item_record(new_id)
            repo.evidence.append(now, actor.username, LedgerAction.REDACTED.value,
                                 source.incident_id, new_id,
                                 {"item": item_facts(item), "from_item": item_id,
                                  "phrases": len(wanted)})
            return new_id

    def letters(self, actor: User, incident_id: int, kind: str) -> list[tuple[str, str]]:
        """Draft letters, one per provider: ``preservation`` (18 U.S.C. 2703(f), for law
        enforcement to send) or ``platform`` (a report for trust and safety teams)."""
        require(actor, Role.ANALYST)
        if kind not in LETTER_KINDS:
            raise InvalidInputError(f"unknown letter {kind!r}: choose preservation or platform")
        with self.context.transaction(write=True) as repo:
            incident = repo.evidence.incident(incident_id)
            items = repo.evidence.items(incident_id)
            messages = [repo.message(i.message_id) for i in items if i.message_id is not None]
            principal = next(p for p in repo.principals() if p.id == incident.principal_id)
            repo.audit(actor.username, f"incident.letter.{kind}", f"incident:{incident_id}")
        today = self.clock()
        return [(provider, preservation_request(incident, provider, group, today)
                 if kind == "preservation"
                 else platform_report(incident, principal.display_name, provider, group))
                for provider, group in by_provider(messages).items()]

    # ---- verification, receipts and export ---------------------------------------------
    def verify(self, actor: User) -> Verification:
        """Every entry's hash, link and signature; every item, captured message and incident
        field against the ledger; each problem named in one line."""
        require(actor, Role.VIEWER)
        signer = self.context.signer
        try:
            with self.context.transaction() as repo:
                entries = repo.evidence.entries()
                captured = [int(e.facts["item"]["message_id"]) for e in entries
                            if isinstance(e.facts.get("item"), dict)
                            and isinstance(e.facts["item"].get("message_id"), int)]
                return verify_store(entries, repo.evidence.item_contents(strict=False),
                                    repo.message_facts(captured), repo.evidence.incidents(),
                                    signer.check_hash)
        except (ValueError, TypeError, KeyError) as exc:
            raise ConfigError(f"the evidence tables cannot be read: {type(exc).__name__} "
                              f"({str(exc)[:120]})") from None

    def verify_against(self, actor: User, anchor_path: Path) -> Verification:
        """``verify``, and that today's ledger still holds the head an earlier receipt or packet
        recorded (nothing rewritten, re-signed or removed since)."""
        anchor = read_anchor(anchor_path)
        result = self.verify(actor)
        with self.context.transaction() as repo:
            entries = repo.evidence.entries()
        more = check_anchor(entries, anchor, self.context.signer.public_hex)
        return replace(result, problems=(*result.problems, *more))

    def receipt(self, actor: User) -> str:
        """A printable receipt of the ledger's head, signed, for a witness to keep."""
        require(actor, Role.ANALYST)
        with self.context.transaction(write=True) as repo:
            entries = repo.evidence.entries()
            repo.audit(actor.username, "evidence.receipt", "ledger",
                       f"head {entries[-1].seq if entries else 0}")
            office = ", ".join(p.display_name for p in repo.principals()) or "civicshield"
        payload = receipt_payload(entries, self.context.signer.public_hex, self.clock(),
                                  actor.username)
        return render_receipt(payload, self.context.signer, office)

    def email_receipt(self, actor: User, receipt: str) -> tuple[str, ...]:
        """Send a receipt to the configured witnesses; returns who it went to."""
        require(actor, Role.ANALYST)
        settings = self.context.settings
        witnesses = settings.evidence_witnesses
        if not witnesses:
            raise ConfigError("no witnesses are configured (CIVICSHIELD_EVIDENCE_WITNESSES)")
        server = MailServer(settings.smtp_host, settings.smtp_port, settings.smtp_username,
                            settings.smtp_password, settings.smtp_starttls, settings.smtp_from)
        send(server, witnesses, "civicshield chain-of-custody receipt",
             "Please keep the attached receipt. It lets anyone prove later that the office's "
             "chain of custody was not rewritten after today.\n",
             attachment=(f"ledger-receipt-{self.clock():%Y-%m-%d}.txt", receipt.encode()))
        with self.context.transaction(write=True) as repo:
            repo.audit(actor.username, "evidence.receipt_sent", "ledger", ", ".join(witnesses))
        return witnesses

    def export(self, actor: User, incident_id: int, target: Path) -> Path:
        """Write the evidence packet (a ZIP) for an incident, rendered from the ledger and the
        originals only; the export is recorded in the ledger with the report's SHA-256."""
        require(actor, Role.ANALYST)
        with self.context.transaction(write=True) as repo:
            incident = repo.evidence.incident(incident_id)
            principal = next(p for p in repo.principals() if p.id == incident.principal_id)
            entries = repo.evidence.entries(incident_id)
            items = repo.evidence.items(incident_id)
            evidence, signer, now = repo.evidence, self.context.signer, self.clock()
            captured = _captured(repo, entries, {i.id: i for i in items})
            contents = PacketContents(
                incident=incident, fields=fold_fields(entries) or incident_fields(incident),
                principal=principal.display_name, generated_at=now,
                generated_by=actor.username, zone=self.context.settings.zone,
                key_fingerprint=signer.fingerprint, entries=entries,
                messages=lambda: captured, items=lambda: items,
                originals=lambda: evidence.item_contents(incident_id))

            def record(digests: dict[str, str]) -> LedgerEntry:
                return evidence.append(
                    self.clock(), actor.username, LedgerAction.EXPORTED.value, incident_id, None,
                    {"file": target.name, "report_sha256": digests["report.pdf"],
                     "manifest_sha256": digests["manifest.json"],
                     "timeline_sha256": digests["timeline.csv"], "items": len(items),
                     "through_seq": entries[-1].seq if entries else 0})

            write_packet(target, contents, record_export=record, signer=signer)
            repo.audit(actor.username, "incident.exported", f"incident:{incident_id}",
                       target.name)
        return target


def _changes(incident: Incident, now: datetime, actor: User, *, status: IncidentStatus | None,
             severity: Severity | None, note: str, police_report: str, involved: str,
             notice: Notice | None, impact_statement: str | None
             ) -> tuple[dict[str, object], dict[str, Any]]:
    """The stored values to set and the exact changes the ledger records."""
    values: dict[str, object] = {}
    changes: dict[str, Any] = {}
    if status is not None:
        values["status"], changes["status"] = status, status.value
    if severity is not None:
        values["severity"], changes["severity"] = severity, severity.value
    if note.strip():
        line = f"[{now:%Y-%m-%d %H:%M} UTC, {actor.username}] {note.strip()}"
        values["notes"] = (incident.notes + "\n" if incident.notes else "") + line
        changes["note_line"] = line
    if police_report.strip():
        number = police_report.strip()[:100]
        values["police_reports"], changes["police_report"] = (*incident.police_reports,
                                                              number), number
    if involved.strip():
        who = involved.strip()[:200]
        values["involved"], changes["involved"] = (*incident.involved, who), who
    if notice is not None:
        values["notices"], changes["notice"] = (*incident.notices, notice), notice.as_dict()
    if impact_statement is not None and impact_statement.strip() != incident.impact_statement:
        text = impact_statement.strip()[:20000]
        values["impact_statement"] = changes["impact_statement"] = text
    if not values:
        raise InvalidInputError("nothing to change")
    return values, changes


def _captured(repo: SqlRepository, entries: Sequence[LedgerEntry],
              items: dict[int, EvidenceItem]) -> list[CapturedMessage]:
    """The incident's messages as their capture entries recorded them, oldest first (entries
    from before format 2 fall back to the store, as they recorded no message facts)."""
    found: list[CapturedMessage] = []
    for entry in entries:
        item = items.get(entry.item_id) if entry.item_id is not None else None
        if item is None or item.kind != "message" or entry.action != LedgerAction.CAPTURED:
            continue
        facts = entry.facts.get("message")
        if not isinstance(facts, dict) and item.message_id is not None:
            _, raw = repo.evidence.item(item.id)
            facts = message_facts(repo.message(item.message_id), raw)
        if isinstance(facts, dict):
            found.append(CapturedMessage(item, entry.seq, facts, original_path(item)))
    return sorted(found, key=lambda m: (m.created_at, m.item.id))


def notice_of(kind: str, platform: str, at: datetime, ticket: str = "",
              note: str = "") -> Notice:
    """A notice from form or command-line values, checked."""
    try:
        chosen = NoticeKind(kind)
    except ValueError as exc:
        raise InvalidInputError(f"a notice is blocked, warned or reported, not {kind!r}") from exc
    if not platform.strip():
        raise InvalidInputError("a notice names the platform (or 'email', 'in person')")
    return Notice(chosen, platform.strip()[:50], at, ticket.strip()[:100], note.strip()[:500])


__all__ = ["IncidentView", "Incidents", "message_facts", "notice_of"]

"""Storage of password hygiene audits: rounds, audits with their counts and score, findings
(entry name, site, user name and detail encrypted; for reuse a keyed fingerprint) and
exclusions. No password, and no unkeyed hash of one, is ever written."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from civicshield.crypto import Cipher
from civicshield.domain.errors import NotFoundError
from civicshield.domain.hygiene import AuditRecord, HygieneFinding, Issue
from civicshield.storage.tables import (
    hygiene_audits,
    hygiene_exclusions,
    hygiene_findings,
    hygiene_fingerprints,
    hygiene_rounds,
)


@dataclass(frozen=True)
class Exclusion:
    """A finding set aside on purpose, until ``expires_at``."""

    id: int
    issue: Issue
    site: str
    reason: str
    expires_at: datetime
    created_by: str


class SqlHygieneRepository:
    """Hygiene records over one connection (one transaction)."""

    def __init__(self, conn: Connection, cipher: Cipher) -> None:
        self.conn = conn
        self.cipher = cipher

    def current_round(self, now: datetime, actor: str) -> int:
        """The latest audit round (the first is started when none exists)."""
        found = self.conn.execute(select(hygiene_rounds.c.id).order_by(
            hygiene_rounds.c.id.desc()).limit(1)).scalar()
        return int(found) if found is not None else self.new_round(now, actor)

    def new_round(self, now: datetime, actor: str) -> int:
        """Start a round: fingerprints from earlier rounds can no longer be compared."""
        row = self.conn.execute(insert(hygiene_rounds).values(
            started_at=now, started_by=actor).returning(hygiene_rounds.c.id)).one()
        return int(row.id)

    def add_audit(self, *, principal_id: int, round_id: int, person: str, fmt: str,
                  vault_kind: str, policy: str, breach_check: str, entries: int, score: int,
                  counts: dict[str, int], findings: Sequence[HygieneFinding],
                  fingerprints: Sequence[str], now: datetime, actor: str) -> int:
        """Store an audit and its findings."""
        row = self.conn.execute(insert(hygiene_audits).values(
            principal_id=principal_id, round_id=round_id, person=person[:200], format=fmt,
            vault_kind=vault_kind, policy=policy, breach_check=breach_check, entries=entries,
            score=score, counts=json.dumps(counts), created_at=now, created_by=actor,
        ).returning(hygiene_audits.c.id)).one()
        audit_id = int(row.id)
        if findings:
            self.conn.execute(insert(hygiene_findings), [
                {"audit_id": audit_id, "issue": f.issue.value, "fingerprint": f.group,
                 "details_encrypted": self._seal(audit_id, f)} for f in findings])
        if fingerprints:
            self.conn.execute(insert(hygiene_fingerprints), [
                {"audit_id": audit_id, "fingerprint": value} for value in set(fingerprints)])
        return audit_id

    def _seal(self, audit_id: int, finding: HygieneFinding) -> bytes:
        data = {"entry": finding.entry_name, "domain": finding.domain,
                "username": finding.username, "detail": finding.detail}
        return self.cipher.encrypt(json.dumps(data).encode(),
                                   context=f"hygiene:{audit_id}".encode())

    def audits(self, principal_id: int, *, person: str | None = None,
               limit: int = 200) -> list[AuditRecord]:
        """Audits, newest first."""
        query = select(hygiene_audits).where(hygiene_audits.c.principal_id == principal_id)
        if person is not None:
            query = query.where(hygiene_audits.c.person == person)
        rows = self.conn.execute(query.order_by(hygiene_audits.c.id.desc()).limit(limit))
        return [_audit(r) for r in rows]

    def audit(self, audit_id: int) -> AuditRecord:
        """One audit."""
        row = self.conn.execute(select(hygiene_audits).where(
            hygiene_audits.c.id == audit_id)).first()
        if row is None:
            raise NotFoundError(f"no audit with id {audit_id}")
        return _audit(row)

    def findings(self, audit_id: int) -> list[HygieneFinding]:
        """An audit's findings."""
        found = []
        for r in self.conn.execute(select(hygiene_findings).where(
                hygiene_findings.c.audit_id == audit_id).order_by(hygiene_findings.c.id)):
            data = json.loads(self.cipher.decrypt(r.details_encrypted,
                                                  context=f"hygiene:{audit_id}".encode()))
            found.append(HygieneFinding(Issue(r.issue), data["entry"], data["domain"],
                                        data["username"], data["detail"], r.fingerprint))
        return found

    def fingerprints_of_others(self, principal_id: int, round_id: int,
                               person: str) -> dict[str, set[str]]:
        """For each other person's latest audit in this round: their reuse fingerprints."""
        latest: dict[str, int] = {}
        for r in self.conn.execute(select(hygiene_audits.c.id, hygiene_audits.c.person).where(
                hygiene_audits.c.principal_id == principal_id,
                hygiene_audits.c.round_id == round_id, hygiene_audits.c.person != person)
                .order_by(hygiene_audits.c.id)):
            latest[r.person] = r.id
        found: dict[str, set[str]] = {}
        for other, audit_id in latest.items():
            found[other] = set(self.conn.execute(select(hygiene_fingerprints.c.fingerprint)
                                                 .where(hygiene_fingerprints.c.audit_id ==
                                                        audit_id)).scalars())
        return found

    def add_exclusion(self, principal_id: int, issue: Issue, site: str, reason: str,
                      expires_at: datetime, now: datetime, actor: str) -> int:
        """Set a finding aside for a site until a date, with a reason."""
        row = self.conn.execute(insert(hygiene_exclusions).values(
            principal_id=principal_id, issue=issue.value,
            site_encrypted=self.cipher.encrypt(site.encode(), context=b"hygiene-exclusion"),
            reason=reason[:500], expires_at=expires_at, created_at=now, created_by=actor,
        ).returning(hygiene_exclusions.c.id)).one()
        return int(row.id)

    def exclusions(self, principal_id: int, now: datetime) -> list[Exclusion]:
        """Exclusions still in force."""
        return [Exclusion(r.id, Issue(r.issue), self.cipher.decrypt(
            r.site_encrypted, context=b"hygiene-exclusion").decode(), r.reason, r.expires_at,
            r.created_by) for r in self.conn.execute(select(hygiene_exclusions).where(
                hygiene_exclusions.c.principal_id == principal_id,
                hygiene_exclusions.c.expires_at > now))]


def _audit(row: Any) -> AuditRecord:
    return AuditRecord(row.id, row.principal_id, row.round_id, row.person, row.format,
                       row.vault_kind, row.policy, row.breach_check, row.entries, row.score,
                       json.loads(row.counts), row.created_at, row.created_by)

"""Account and password hygiene: audit a password-manager export without ever keeping a password.

The export is read into memory and, when it was uploaded, deleted the moment it has been read
(also when it cannot be read). Passwords exist only in memory during ``audit``: what is stored
is each finding (entry name, site, user name and detail, encrypted), and for reuse a keyed
fingerprint, HMAC-SHA256 under a key derived from the installation's key for the current audit
round, so that fingerprints mean nothing outside this installation and this round.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import re
from collections import Counter
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

from civicshield.connectors.pwned.checker import (
    RANGE_API,
    check_offline,
    check_online,
    sha1_hex,
)
from civicshield.connectors.vaults.readers import read_export
from civicshield.domain.access import require
from civicshield.domain.errors import InvalidInputError
from civicshield.domain.hygiene import (
    DEFAULT_POLICY,
    ISSUE_ORDER,
    AuditInput,
    AuditRecord,
    HygieneFinding,
    Issue,
    VaultEntry,
    audit_entries,
    policy,
    score,
)
from civicshield.domain.inventory import (
    Account,
    InventoryFinding,
    checks_for,
    inventory_findings,
)
from civicshield.domain.inventory import validate as validate_account
from civicshield.domain.models import Role, User
from civicshield.domain.profile import ProtectedProfile
from civicshield.reports.cells import neutralise
from civicshield.reports.hygiene_report import report_pdf
from civicshield.services.context import ServiceContext, resolve_principal
from civicshield.storage.hygiene import Exclusion, SqlHygieneRepository
from civicshield.storage.inventory import SqlInventoryRepository

BREACH_CHECKS = ("none", "online", "offline")
VAULT_KINDS = ("official", "personal", "mixed")


@dataclass(frozen=True)
class AuditView:
    """An audit as its page shows it: the record, the findings (most urgent first), the
    reuse groups, and the person's earlier scores."""

    record: AuditRecord
    findings: list[HygieneFinding]
    trend: list[AuditRecord]

    @property
    def reuse_groups(self) -> list[list[HygieneFinding]]:
        """Sites that share one password, largest group first."""
        groups: dict[str, list[HygieneFinding]] = {}
        for f in self.findings:
            if f.issue is Issue.REUSED and f.group:
                groups.setdefault(f.group, []).append(f)
        return sorted(groups.values(), key=len, reverse=True)

    def reuse_lines(self) -> list[tuple[str, str]]:
        """Each reuse group as (its sites, who else uses the password, if anyone)."""
        lines = []
        for group in self.reuse_groups:
            sites = ", ".join(dict.fromkeys(f.domain for f in group))
            others = next((part for f in group for part in f.detail.split("; ")
                           if part.startswith("also used by")), "")
            lines.append((sites, others))
        return lines

    def of(self, issue: Issue) -> list[HygieneFinding]:
        """The findings of one kind."""
        return [f for f in self.findings if f.issue is issue]


def user_inputs(profile: ProtectedProfile | None, person: str, title: str,
                birth_years: list[int]) -> list[str]:
    """Words a guesser who knows the person would try: names, family, city, office, years."""
    words = [person, title, *[str(y) for y in birth_years]]
    if profile is not None:
        words += [profile.name, *profile.aliases, *profile.family, *profile.schools,
                  *profile.usernames, *(e.split("@")[0] for e in profile.emails),
                  profile.home_address, profile.role, profile.state]
    found: list[str] = []
    for word in words:
        for part in re.split(r"[\s,.@_-]+", word or ""):
            if len(part) >= 3 and part.lower() not in {p.lower() for p in found}:
                found.append(part)
    return found


class Hygiene:
    """Audits, their reports, exclusions and rounds; ``inventory`` holds the accounts."""

    def __init__(self, context: ServiceContext) -> None:
        self.context = context
        self.inventory = Inventory(context)

    def audit(self, actor: User, path: Path, person: str, *, principal: str | None = None,
              fmt: str = "", kdbx_password: str = "", breach_check: str = "none",
              breach_file: Path | None = None, policy_name: str = DEFAULT_POLICY,
              vault_kind: str = "official", birth_years: tuple[int, ...] = (),
              delete_file: bool = False, display_name: str = "") -> AuditView:
        """Audit one export for one person (analysts and admins); ``delete_file`` removes the
        file as soon as it has been read, whatever happens."""
        try:
            require(actor, Role.ANALYST)
            rules = policy(policy_name)
            if breach_check not in BREACH_CHECKS:
                raise InvalidInputError(f"unknown breach check {breach_check!r} "
                                        f"({', '.join(BREACH_CHECKS)})")
            if vault_kind not in VAULT_KINDS:
                raise InvalidInputError(f"unknown vault kind {vault_kind!r} "
                                        f"({', '.join(VAULT_KINDS)})")
            if breach_check == "offline" and breach_file is None:
                raise InvalidInputError("an offline breach check needs the hash file")
            if not person.strip():
                raise InvalidInputError("name the person whose export this is")
            found_fmt, entries = read_export(path, name=display_name, fmt=fmt,
                                             password=kdbx_password)
        finally:
            if delete_file:
                path.unlink(missing_ok=True)
        breaches = self._breaches(entries, breach_check, breach_file)
        return self._record(actor, entries, person.strip(), principal, found_fmt, rules.name,
                            breach_check, vault_kind, list(birth_years), breaches)

    def _breaches(self, entries: list[VaultEntry], mode: str,
                  file: Path | None) -> list[int] | None:
        if mode == "none":
            return None
        hashes = [sha1_hex(e.password) for e in entries]
        if mode == "offline":
            assert file is not None
            counts = check_offline(hashes, file)
        else:
            from civicshield.network import guarded_client  # HTTP is loaded when asked

            with guarded_client(frozenset(self.context.settings.allowed_local_hosts),
                                user_agent="civicshield-hygiene",
                                ca_file=str(self.context.settings.ca_file or "")) as client:
                counts = check_online(hashes, client,
                                      base=self.context.settings.pwned_range_url or RANGE_API)
        return [counts.get(h, 0) for h in hashes]

    def _record(self, actor: User, entries: list[VaultEntry], person: str,
                principal: str | None, fmt: str, policy_name: str, breach_check: str,
                vault_kind: str, birth_years: list[int], breaches: list[int] | None
                ) -> AuditView:
        now = self.context.clock()
        with self.context.transaction(write=True) as repo:
            target = resolve_principal(repo, principal)
            store = SqlHygieneRepository(repo.conn, self.context.cipher)
            round_id = store.current_round(now, actor.username)
            key = self.context.cipher.derive(f"hygiene-round:{round_id}".encode())

            def fingerprint(password: str) -> str:
                return hmac.new(key, password.encode("utf-8"), hashlib.sha256).hexdigest()

            inputs = AuditInput(
                rules=policy(policy_name), now=now, breaches=breaches, vault_kind=vault_kind,
                user_inputs=user_inputs(repo.profile(target.id), person, target.title,
                                        birth_years),
                others=store.fingerprints_of_others(target.id, round_id, person))
            findings = _without_exclusions(audit_entries(entries, inputs, fingerprint),
                                           store.exclusions(target.id, now))
            by_entry: dict[str, set[Issue]] = {}
            for f in findings:
                by_entry.setdefault(f"{f.entry_name}|{f.domain}|{f.username}", set()).add(
                    f.issue)
            counts = dict(Counter(f.issue.value for f in findings))
            audit_id = store.add_audit(
                principal_id=target.id, round_id=round_id, person=person, fmt=fmt,
                vault_kind=vault_kind, policy=policy_name, breach_check=breach_check,
                entries=len(entries), score=score(by_entry, len(entries)), counts=counts,
                findings=findings, fingerprints=[fingerprint(e.password) for e in entries],
                now=now, actor=actor.username)
            repo.audit(actor.username, "hygiene.audited", f"audit:{audit_id}",
                       f"{fmt}, {len(entries)} logins, {len(findings)} findings")
        return self.view(actor, audit_id)

    def view(self, actor: User, audit_id: int) -> AuditView:
        """One audit with its findings and the person's trend."""
        require(actor, Role.ANALYST)
        with self.context.transaction() as repo:
            store = SqlHygieneRepository(repo.conn, self.context.cipher)
            record = store.audit(audit_id)
            return AuditView(record, store.findings(audit_id),
                             list(reversed(store.audits(record.principal_id,
                                                        person=record.person, limit=20))))

    def overview(self, actor: User, principal: str | None = None) -> list[AuditRecord]:
        """Each person's audits, newest first (the office's trend)."""
        require(actor, Role.ANALYST)
        with self.context.transaction() as repo:
            target = resolve_principal(repo, principal)
            return SqlHygieneRepository(repo.conn, self.context.cipher).audits(target.id)

    def exclude(self, actor: User, issue: Issue, site: str, reason: str, *, days: int = 90,
                principal: str | None = None) -> int:
        """Set one kind of finding aside for a site, with a reason, for a while (admins)."""
        require(actor, Role.ADMIN)
        if not reason.strip():
            raise InvalidInputError("say why this is set aside")
        if not 1 <= days <= 365:
            raise InvalidInputError("an exclusion lasts from 1 to 365 days")
        now = self.context.clock()
        with self.context.transaction(write=True) as repo:
            target = resolve_principal(repo, principal)
            found = SqlHygieneRepository(repo.conn, self.context.cipher).add_exclusion(
                target.id, issue, site.strip().lower(), reason.strip(),
                now + timedelta(days=days), now, actor.username)
            repo.audit(actor.username, "hygiene.excluded", f"exclusion:{found}", issue.value)
            return found

    def exclusions(self, actor: User, principal: str | None = None) -> list[Exclusion]:
        """Exclusions still in force."""
        require(actor, Role.ANALYST)
        with self.context.transaction() as repo:
            target = resolve_principal(repo, principal)
            return SqlHygieneRepository(repo.conn, self.context.cipher).exclusions(
                target.id, self.context.clock())

    def new_round(self, actor: User) -> int:
        """Start a new audit round: the fingerprint key changes (admins)."""
        require(actor, Role.ADMIN)
        with self.context.transaction(write=True) as repo:
            found = SqlHygieneRepository(repo.conn, self.context.cipher).new_round(
                self.context.clock(), actor.username)
            repo.audit(actor.username, "hygiene.new_round", f"round:{found}", "")
            return found

    def csv_report(self, actor: User, audit_id: int) -> str:
        """The findings as CSV: no secret in it, formula-like cells neutralised."""
        view = self.view(actor, audit_id)
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["priority", "issue", "site", "entry", "username", "detail", "fix"])
        for f in view.findings:
            order, words, fix = ISSUE_ORDER[f.issue]
            writer.writerow([order, words, *(neutralise(v) for v in (
                f.domain, f.entry_name, f.username, f.detail)), fix])
        return out.getvalue()

    def pdf_report(self, actor: User, audit_id: int) -> bytes:
        """The audit report as a PDF."""
        view = self.view(actor, audit_id)
        return report_pdf(view.record, view.findings, view.reuse_groups, view.trend,
                          self.context.settings.zone)


class Inventory:
    """The account inventory: accounts, who controls them, their recovery contacts and their
    privacy checks."""

    def __init__(self, context: ServiceContext) -> None:
        self.context = context

    def add(self, actor: User, platform: str, handle: str, kind: str, controlled_by: str, *,
            two_factor: bool | None = None, recovery_email: str = "",
            recovery_phone: str = "", url: str = "", notes: str = "",
            principal: str | None = None) -> int:
        """Record an account (analysts and admins)."""
        require(actor, Role.ANALYST)
        chosen = validate_account(platform, handle, kind, controlled_by)
        now = self.context.clock()
        with self.context.transaction(write=True) as repo:
            target = resolve_principal(repo, principal)
            found = SqlInventoryRepository(repo.conn, self.context.cipher).add(
                target.id, platform.strip().lower(), handle.strip()[:300], chosen,
                controlled_by.strip()[:200],
                {"recovery_email": recovery_email.strip()[:320],
                 "recovery_phone": recovery_phone.strip()[:50], "url": url.strip()[:500],
                 "notes": notes.strip()[:2000]}, now, two_factor=two_factor)
            repo.audit(actor.username, "inventory.added", f"account:{found}", platform)
            return found

    def accounts(self, actor: User, principal: str | None = None) -> list[Account]:
        """Every account, by platform."""
        require(actor, Role.ANALYST)
        with self.context.transaction() as repo:
            target = resolve_principal(repo, principal)
            return SqlInventoryRepository(repo.conn, self.context.cipher).accounts(target.id)

    def account(self, actor: User, account_id: int) -> Account:
        """One account with its checks."""
        require(actor, Role.ANALYST)
        with self.context.transaction() as repo:
            return SqlInventoryRepository(repo.conn, self.context.cipher).account(account_id)

    def set_two_factor(self, actor: User, account_id: int, *, on: bool) -> None:
        """Record whether two-factor login is on."""
        require(actor, Role.ANALYST)
        with self.context.transaction(write=True) as repo:
            SqlInventoryRepository(repo.conn, self.context.cipher).update(
                account_id, self.context.clock(), two_factor=on)

    def mark_check(self, actor: User, account_id: int, check_key: str) -> None:
        """Record that a privacy check was done now (due again in 90 days)."""
        require(actor, Role.ANALYST)
        with self.context.transaction(write=True) as repo:
            store = SqlInventoryRepository(repo.conn, self.context.cipher)
            account = store.account(account_id)
            if check_key not in {c.key for c in checks_for(account.platform)}:
                raise InvalidInputError(f"{account.platform} has no check {check_key!r}")
            store.mark(account_id, check_key, self.context.clock(), actor.username)
            repo.audit(actor.username, "inventory.checked", f"account:{account_id}", check_key)

    def remove(self, actor: User, account_id: int) -> None:
        """Delete an account from the inventory (admins)."""
        require(actor, Role.ADMIN)
        with self.context.transaction(write=True) as repo:
            SqlInventoryRepository(repo.conn, self.context.cipher).remove(account_id)
            repo.audit(actor.username, "inventory.removed", f"account:{account_id}", "")

    def findings(self, actor: User, principal: str | None = None) -> list[InventoryFinding]:
        """What to fix in the inventory."""
        return inventory_findings(self.accounts(actor, principal), self.context.clock())


def _without_exclusions(findings: list[HygieneFinding],
                        exclusions: list[Exclusion]) -> list[HygieneFinding]:
    skip = {(e.issue, e.site) for e in exclusions}
    return [replace(f) for f in findings if (f.issue, f.domain) not in skip]

"""Account and password hygiene: the entries of a password-manager export (held in memory only),
the strength policies an office chooses from, and the findings an audit stores.

A ``VaultEntry`` carries a password for the length of one audit and is never stored: what the
audit keeps is a ``HygieneFinding`` (the entry's name, domain and user name, what is wrong and
what to do) and, for reuse, a keyed fingerprint of the password (HMAC under a key the
installation holds, rotated per audit generation).
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from civicshield.domain.errors import InvalidInputError

#: Largest export read (a vault of 100,000 logins is far smaller).
MAX_EXPORT_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True)
class VaultEntry:
    """One login read from an export. ``password`` lives in memory only."""

    name: str
    url: str
    username: str
    password: str = field(repr=False)
    has_totp: bool = False
    has_passkey: bool = False
    folder: str = ""
    modified: datetime | None = None
    created: datetime | None = None

    def __repr__(self) -> str:
        return f"VaultEntry(name={self.name!r}, url={self.url!r}, password=<hidden>)"


@dataclass(frozen=True)
class Policy:
    """What counts as strong enough: a minimum length and a minimum zxcvbn score (0 to 4)."""

    name: str
    description: str
    min_length: int
    min_score: int


#: The presets an office chooses from.
POLICIES: dict[str, Policy] = {
    "cisa-2025": Policy(
        "cisa-2025", "CISA Cross-Sector Cybersecurity Performance Goals (2025): at least 16 "
        "characters, and not guessable", 16, 3),
    "nist-800-63b": Policy(
        "nist-800-63b", "NIST SP 800-63B: at least 15 characters for a password used alone, "
        "and not on lists of common or breached passwords", 15, 3),
    "basic": Policy("basic", "At least 12 characters and not guessable (zxcvbn score 3)", 12, 3),
    "strict": Policy("strict", "At least 20 characters and very hard to guess (zxcvbn score 4)",
                     20, 4),
}
DEFAULT_POLICY = "cisa-2025"


def policy(name: str) -> Policy:
    """A preset by name; InvalidInputError naming the choices otherwise."""
    try:
        return POLICIES[name]
    except KeyError as exc:
        raise InvalidInputError(f"unknown password policy {name!r} (choose from "
                                f"{', '.join(POLICIES)})") from exc


class Issue(enum.StrEnum):
    """What can be wrong with a login."""

    BREACHED = "breached"
    REUSED = "reused"
    WEAK = "weak"
    NO_2FA = "no_2fa"
    NO_PASSKEY = "no_passkey"
    INSECURE_URL = "insecure_url"
    OLD = "old"
    SHARED_RECOVERY = "shared_recovery"
    MIXED_VAULT = "mixed_vault"


#: How urgent each issue is (fix the lowest number first), and the words screens use.
ISSUE_ORDER: dict[Issue, tuple[int, str, str]] = {
    Issue.BREACHED: (1, "Password found in a data breach",
                     "Change this password now, on this site and wherever else it was used."),
    Issue.REUSED: (2, "Password used on other sites too",
                   "Give each site its own password: let the password manager generate one."),
    Issue.SHARED_RECOVERY: (3, "Recovery email or phone shared with someone else",
                            "Set the account's recovery email and phone to ones only this "
                            "person controls."),
    Issue.NO_2FA: (4, "Two-factor login is available but not set up",
                   "Turn on two-factor login with an authenticator app or a security key."),
    Issue.WEAK: (5, "Weak password", "Replace it with a long generated password."),
    Issue.MIXED_VAULT: (6, "Personal account kept with official ones",
                        "Keep personal accounts in a personal vault, apart from the office's."),
    Issue.INSECURE_URL: (7, "Login page without https",
                         "Log in only over https; if the site offers no https, change the "
                         "password and stop using it there."),
    Issue.OLD: (8, "Password not changed in years",
                "Change it, especially for email, banking and social accounts."),
    Issue.NO_PASSKEY: (9, "Supports security keys or passkeys",
                       "Consider a passkey or security key: it cannot be phished."),
}


@dataclass(frozen=True)
class HygieneFinding:
    """One problem with one login, without any secret."""

    issue: Issue
    entry_name: str
    domain: str
    username: str
    detail: str
    #: Keyed fingerprint of the password (reuse groups only); never the password or its hash.
    group: str = ""


@dataclass(frozen=True)
class AuditRecord:
    """One stored audit: who, which export, which policy and check, how many logins, the
    score and the count of each issue."""

    id: int
    principal_id: int
    round_id: int
    person: str
    fmt: str
    vault_kind: str
    policy: str
    breach_check: str
    entries: int
    score: int
    counts: dict[str, int]
    created_at: datetime
    created_by: str



def rank(finding: HygieneFinding) -> int:
    """Where the finding comes in 'what to fix first'."""
    return ISSUE_ORDER[finding.issue][0]


#: What each issue takes from a login's 100 points (the score is the average over logins).
ISSUE_COST: dict[Issue, int] = {
    Issue.BREACHED: 60, Issue.REUSED: 40, Issue.WEAK: 30, Issue.SHARED_RECOVERY: 30,
    Issue.NO_2FA: 20, Issue.MIXED_VAULT: 10, Issue.INSECURE_URL: 10, Issue.OLD: 5,
    Issue.NO_PASSKEY: 0,
}


def score(findings_by_entry: dict[str, set[Issue]], entries: int) -> int:
    """A 0 to 100 health score: each login starts at 100 and loses what its issues cost
    (ISSUE_COST, never below 0); the score is the average over every login audited."""
    if entries == 0:
        return 100
    lost = sum(min(100, sum(ISSUE_COST[i] for i in issues))
               for issues in findings_by_entry.values())
    return max(0, min(100, round(100 - lost / entries)))


#: Passwords longer than this are scored on their first characters (zxcvbn slows down sharply on
#: long input, and a password this long is not weak for its length).
SCORED_CHARS = 64
#: A password not changed for this long is old.
OLD_AFTER_DAYS = 3 * 365
#: Site categories that are personal life, not office work (from the 2FA Directory's categories).
PERSONAL_CATEGORIES = frozenset({"banking", "gaming", "health", "entertainment", "retail",
                                 "food", "investing", "cryptocurrencies", "betting", "insurance",
                                 "tickets"})


@dataclass(frozen=True)
class Strength:
    """How strong a password is under a policy, and why not when it is not."""

    weak: bool
    reason: str


def strength(password: str, rules: Policy, user_inputs: list[str]) -> Strength:
    """Judge one password (zxcvbn, with the person's own names and years as user inputs)."""
    from zxcvbn import zxcvbn

    result = zxcvbn(password[:SCORED_CHARS], user_inputs=user_inputs[:50])
    short = len(password) < rules.min_length
    guessable = result["score"] < rules.min_score and len(password) < SCORED_CHARS
    if not short and not guessable:
        return Strength(weak=False, reason="")
    reasons = []
    if short:
        reasons.append(f"{len(password)} characters (the policy asks for {rules.min_length})")
    if guessable:
        personal = [m for m in result["sequence"] if m.get("dictionary_name") == "user_inputs"]
        words = "contains a name or year from the person's own life" if personal else (
            result["feedback"].get("warning") or "could be guessed")
        reasons.append(f"{words.rstrip('.').lower()} (strength {result['score']} of 4)")
    return Strength(weak=True, reason="; ".join(reasons))


@dataclass(frozen=True)
class AuditInput:
    """Everything an audit weighs besides the entries themselves."""

    rules: Policy
    user_inputs: list[str]
    now: datetime
    #: For each entry (by position), how often its password appears in breaches; None: not
    #: checked.
    breaches: list[int] | None = None
    #: Other people's reuse fingerprints in this round (person -> fingerprints).
    others: dict[str, set[str]] = field(default_factory=dict)
    vault_kind: str = "official"


def audit_entries(entries: list[VaultEntry], context: AuditInput,
                  fingerprint: Callable[[str], str]) -> list[HygieneFinding]:
    """Every finding for one export, most urgent first (pure: passwords stay in memory)."""
    from civicshield.domain.sites import registrable, site_security

    prints = [fingerprint(e.password) for e in entries]
    sites = [registrable(e.url) or e.name.lower() for e in entries]
    groups: dict[str, list[int]] = {}
    for index, value in enumerate(prints):
        groups.setdefault(value, []).append(index)
    found: list[HygieneFinding] = []
    for index, entry in enumerate(entries):
        site, mark = sites[index], prints[index]

        def add(issue: Issue, detail: str, group: str = "", *, entry: VaultEntry = entry,
                site: str = site) -> None:
            found.append(HygieneFinding(issue, entry.name, site, entry.username, detail, group))

        count = context.breaches[index] if context.breaches is not None else 0
        if count:
            add(Issue.BREACHED, f"this password appears {count:,} times in known breaches")
        shared = sorted({sites[i] for i in groups[mark] if i != index and sites[i] != site})
        elsewhere = sorted(p for p, marks in context.others.items() if mark in marks)
        if shared or elsewhere:
            words = []
            if shared:
                words.append(f"also used on {len(shared)} other site(s): "
                             f"{', '.join(shared[:5])}{' ...' if len(shared) > 5 else ''}")
            if elsewhere:
                words.append(f"also used by {', '.join(elsewhere)}")
            add(Issue.REUSED, "; ".join(words), mark)
        judged = strength(entry.password, context.rules, context.user_inputs)
        if judged.weak:
            add(Issue.WEAK, judged.reason)
        security = site_security(entry.url) if entry.url else None
        if security and security.offers_2fa and not entry.has_totp and not entry.has_passkey:
            methods = ", ".join(_METHOD_WORDS.get(m, m) for m in security.methods)
            add(Issue.NO_2FA, f"{security.name} offers {methods}; no authenticator code or "
                f"passkey is saved with this login" + (f" ({security.docs})" if security.docs
                                                       else ""))
        if security and security.offers_security_keys and not entry.has_passkey:
            add(Issue.NO_PASSKEY, f"{security.name} accepts security keys (FIDO2/WebAuthn)")
        personal = security and set(security.categories) & PERSONAL_CATEGORIES
        if personal and context.vault_kind == "official":
            add(Issue.MIXED_VAULT, f"a {sorted(personal)[0]} site kept in the office's vault")
        if entry.url.lower().startswith("http://") and not _local(entry.url):
            add(Issue.INSECURE_URL, "the saved login page is http://, not https://")
        changed = entry.modified or entry.created
        if changed is not None and (context.now - changed).days > OLD_AFTER_DAYS:
            add(Issue.OLD, f"last changed {changed.date().isoformat()}")
    return sorted(found, key=lambda f: (rank(f), f.domain, f.entry_name))


_METHOD_WORDS = {"totp": "authenticator apps", "sms": "text messages", "call": "phone calls",
                 "email": "email codes", "u2f": "security keys",
                 "custom-software": "its own app", "custom-hardware": "its own device"}


def _local(url: str) -> bool:
    return any(url.lower().startswith(f"http://{h}") for h in ("localhost", "127.", "[::1]"))

"""The service object: settings, store, detectors and importers wired together.

The web dashboard, the JSON API and the command line call only this. Every method that acts on
behalf of a person takes that person (``actor``) and checks their role.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import logging
import secrets
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine

from civicshield.config import Settings
from civicshield.connectors.base import Importer, ImportSource
from civicshield.crypto import Cipher, decode_key, write_key_file
from civicshield.domain import pipeline
from civicshield.domain.access import require
from civicshield.domain.detection import DetectionInput, DetectorRegistry, verdict
from civicshield.domain.errors import (
    ConfigError,
    ImportFailure,
    InvalidInputError,
    NotFoundError,
)
from civicshield.domain.escalation import assess, load_weights
from civicshield.domain.models import (
    AuditEntry,
    Channel,
    ChannelKind,
    MessageDraft,
    Principal,
    ReviewState,
    Role,
    Sender,
    SenderRef,
    StoredMessage,
    User,
)
from civicshield.domain.ports import QueueFilter
from civicshield.domain.profile import ProtectedProfile
from civicshield.exposure.service import Exposure
from civicshield.incidents import Incidents
from civicshield.plugins import detector_registry, importers, make_plugin_manager
from civicshield.storage.database import check_current, make_engine, migrate
from civicshield.storage.repository import SqlRepository

log = logging.getLogger("civicshield")
_HASHER = PasswordHasher()
_DUMMY_HASH = _HASHER.hash("civicshield-timing-guard")
#: Passwords shorter than this are refused.
MIN_PASSWORD_LENGTH = 12


@dataclass(frozen=True)
class ImportResult:
    """What an import did."""

    fmt: str
    added: int
    skipped: int
    import_id: int


@dataclass(frozen=True)
class SenderView:
    """A sender page: the identity, the identities merged with it, and their timeline."""

    sender: Sender
    group: list[Sender]
    timeline: list[StoredMessage]


def token_hash(token: str) -> str:
    """Tokens are stored only as their SHA-256."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def cli_actor() -> User:
    """The person at the terminal acts with full rights; the audit log names their OS account."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = "unknown"
    return User(id=0, username=f"cli:{name}", role=Role.ADMIN)


def load_cipher(settings: Settings) -> Cipher:
    """The encryption key from the setting, or the key file that init wrote."""
    if settings.secret_key:
        return Cipher(decode_key(settings.secret_key, source="CIVICSHIELD_SECRET_KEY"))
    if not settings.key_file.is_file():
        raise ConfigError(f"no encryption key: {settings.key_file} is missing and "
                          "CIVICSHIELD_SECRET_KEY is not set (run `civicshield init`)")
    return Cipher(decode_key(settings.key_file.read_text(encoding="ascii"),
                             source=str(settings.key_file)))


def build_registry(settings: Settings) -> tuple[DetectorRegistry, dict[str, Importer]]:
    """Detectors and importers from the configured plugins."""
    pm = make_plugin_manager(load_defaults=settings.load_default_plugins, extra=settings.plugins)
    return detector_registry(pm, disabled=settings.disabled_detectors), importers(pm)


def classify_records(registry: DetectorRegistry, records: Iterable[dict[str, Any]],
                     profile: ProtectedProfile | None, batch_size: int = 256,
                     ) -> Iterator[dict[str, Any]]:
    """The ``civicshield classify`` contract: scores, flags and reasons per input record."""
    batch: list[dict[str, Any]] = []
    for record in records:
        batch.append(record)
        if len(batch) == batch_size:
            yield from _classify_batch(registry, batch, profile)
            batch = []
    if batch:
        yield from _classify_batch(registry, batch, profile)


def _classify_batch(registry: DetectorRegistry, batch: list[dict[str, Any]],
                    profile: ProtectedProfile | None) -> Iterator[dict[str, Any]]:
    inputs = [DetectionInput(text=r["text"], profile=profile) for r in batch]
    for record, found in zip(batch, registry.detect(inputs), strict=True):
        judged = verdict(found)
        yield {"id": record["id"], "scores": {k: round(v, 4) for k, v in judged.scores.items()},
               "flags": list(judged.flags),
               "reasons": [{"label": f.label, "detector": f.detector,
                            "span": list(f.span) if f.span else None, "why": f.why}
                           for f in judged.findings]}


class CivicShield:
    """One workspace: its store, detectors and importers."""

    def __init__(self, settings: Settings, engine: Engine, cipher: Cipher) -> None:
        self.settings = settings
        self.engine = engine
        self.cipher = cipher
        self.registry, self.importers = build_registry(settings)
        self.weights = load_weights(settings.escalation_weights)
        self.incidents = Incidents(self)
        self.exposure = Exposure(self)

    @classmethod
    def open(cls, settings: Settings) -> CivicShield:
        """Open an initialised workspace."""
        engine = make_engine(settings.resolved_database_url)
        check_current(engine)
        return cls(settings, engine, load_cipher(settings))

    @classmethod
    def initialise(cls, settings: Settings) -> tuple[CivicShield, bool]:
        """Create the data folder, key and store if missing; True when a key was made."""
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        created_key = False
        if not settings.secret_key and not settings.key_file.exists():
            write_key_file(settings.key_file)
            created_key = True
        engine = make_engine(settings.resolved_database_url)
        migrate(engine)
        return cls(settings, engine, load_cipher(settings)), created_key

    @contextmanager
    def transaction(self) -> Iterator[SqlRepository]:
        """One unit of work: committed at the end, rolled back on any error."""
        with self.engine.begin() as conn:
            yield SqlRepository(conn, self.cipher)

    # ---- principals --------------------------------------------------------------------
    def add_principal(self, actor: User, slug: str, display_name: str, title: str = "",
                      profile: ProtectedProfile | None = None) -> Principal:
        """Add a protected person (admins only)."""
        require(actor, Role.ADMIN)
        if not slug or not slug.replace("-", "").isalnum() or slug != slug.lower():
            raise InvalidInputError("a principal's short name uses lower-case letters, digits "
                                    "and dashes, such as 'mayor-rivera'")
        with self.transaction() as repo:
            principal = repo.add_principal(slug, display_name, title, profile)
            repo.audit(actor.username, "principal.added", f"principal:{principal.id}")
        return principal

    def set_profile(self, actor: User, slug: str, profile: ProtectedProfile) -> None:
        """Replace a principal's protected profile (admins only)."""
        require(actor, Role.ADMIN)
        with self.transaction() as repo:
            principal = repo.principal_by_slug(slug)
            repo.set_profile(principal.id, profile)
            repo.audit(actor.username, "profile.updated", f"principal:{principal.id}")

    def principals(self) -> list[Principal]:
        """Every protected person."""
        with self.transaction() as repo:
            return repo.principals()

    def channels(self) -> list[Channel]:
        """Every account of every principal."""
        with self.transaction() as repo:
            return repo.channels()

    # ---- import and analysis -----------------------------------------------------------
    def detect_format(self, path: Path) -> Importer:
        """The importer whose format the file looks like."""
        head = b"" if path.is_dir() else path.open("rb").read(4096)
        for importer in self.importers.values():
            if importer.sniff(path, head):
                return importer
        raise InvalidInputError(f"{path.name}: cannot tell the format; name it with --format "
                                f"({', '.join(sorted(self.importers))})")

    def import_file(self, actor: User, path: Path, *, principal: str | None = None,
                    fmt: str | None = None, account: str = "",
                    kind: ChannelKind = ChannelKind.OFFICIAL,
                    display_name: str | None = None) -> ImportResult:
        """Import one file through the pipeline in a single transaction.

        A malformed record raises ImportFailure and nothing from the file is stored. Importing
        the same file again adds nothing.
        """
        require(actor, Role.ANALYST)
        name = display_name or path.name
        if not path.exists():
            raise InvalidInputError(f"{name}: no such file or folder")
        importer = self.importers.get(fmt) if fmt else self.detect_format(path)
        if importer is None:
            raise InvalidInputError(f"unknown format {fmt!r}; choose one of "
                                    f"{', '.join(sorted(self.importers))}")
        source = ImportSource(path=path, name=name, account=account)
        with self.transaction() as repo:
            target = self.resolve_principal(repo, principal)
            channel = repo.ensure_channel(target.id, importer.platform, account or
                                          f"{importer.platform} (imported)", kind)
            record = repo.start_import(target.id, channel.id, importer.fmt, name,
                                       _file_sha256(path), actor.username)
            ctx = pipeline.PipelineContext(repo=repo, registry=self.registry, record=record,
                                           profile=repo.profile(target.id),
                                           weights=self.weights,
                                           blocked=tuple(repo.blocked_patterns()))
            added = skipped = 0
            for chunk in _chunks(importer.read(source), self.settings.import_batch_size):
                done = pipeline.run(pipeline.Batch(drafts=tuple(chunk)), ctx)
                added, skipped = added + done.stored, skipped + done.skipped
            repo.finish_import(record.id, added, skipped)
            repo.audit(actor.username, "import.completed", f"import:{record.id}",
                       json.dumps({"format": importer.fmt, "file": name, "added": added,
                                   "skipped": skipped}))
        log.info("import %s: %d added, %d already stored", importer.fmt, added, skipped)
        return ImportResult(importer.fmt, added, skipped, record.id)

    def resolve_principal(self, repo: SqlRepository, slug: str | None) -> Principal:
        """The named principal, or the only one when none is named."""
        if slug:
            return repo.principal_by_slug(slug)
        found = repo.principals()
        if len(found) != 1:
            raise InvalidInputError("name the protected person with --principal "
                                    f"({', '.join(p.slug for p in found) or 'none added yet'})")
        return found[0]

    def analyse(self, actor: User, *, redo_all: bool = False, batch_size: int = 500) -> int:
        """Re-run detectors on stored messages whose analysis is missing or out of date."""
        require(actor, Role.ANALYST)
        signature, after, done = self.registry.signature, 0, 0
        groups: set[int] = set()
        while True:
            with self.transaction() as repo:
                stored = repo.messages_to_analyse(signature, after, batch_size,
                                                  include_current=redo_all)
                if not stored:
                    break
                pairs = []
                for principal in repo.principals():
                    mine = [m for m in stored if m.principal_id == principal.id]
                    analysed = pipeline.analyse(self.registry, [_as_draft(m) for m in mine],
                                                repo.profile(principal.id))
                    pairs += [(m.id, a) for m, a in zip(mine, analysed, strict=True)]
                groups.update(m.sender.group_id for m in stored)
                repo.replace_findings(pairs, signature)
                after, done = stored[-1].id, done + len(stored)
        with self.transaction() as repo:
            for group in groups:
                repo.set_group_risk(group, assess(repo.group_summaries(group), self.weights))
            repo.audit(actor.username, "analysis.completed", "messages",
                       json.dumps({"messages": done, "detectors": signature}))
        return done

    # ---- triage ------------------------------------------------------------------------
    def queue(self, flt: QueueFilter, *, limit: int = 50,
              offset: int = 0) -> tuple[list[StoredMessage], int]:
        """A page of the queue, worst first, and the total matching."""
        with self.transaction() as repo:
            return repo.queue(flt, limit, offset), repo.queue_count(flt)

    def message(self, message_id: int) -> StoredMessage:
        """One message with its findings."""
        with self.transaction() as repo:
            return repo.message(message_id)

    def raw_payload(self, actor: User, message_id: int) -> bytes:
        """The original record byte for byte (analysts and admins); the access is audit-logged."""
        require(actor, Role.ANALYST)
        with self.transaction() as repo:
            raw = repo.raw_payload(message_id)
            repo.audit(actor.username, "message.raw_downloaded", f"message:{message_id}")
        return raw

    def set_state(self, actor: User, message_ids: Sequence[int], state: ReviewState) -> int:
        """Mark messages reviewed, dismissed or escalated (analysts and admins)."""
        require(actor, Role.ANALYST)
        if not message_ids:
            raise InvalidInputError("select at least one message")
        with self.transaction() as repo:
            changed = repo.set_review_state(message_ids, state, actor.username)
            repo.audit(actor.username, f"message.{state.value}",
                       "messages:" + ",".join(map(str, message_ids[:20])),
                       json.dumps({"count": changed}))
        return changed

    def sender_view(self, sender_id: int, *, limit: int = 200) -> SenderView:
        """A sender, the identities merged with them, and their timeline across channels."""
        with self.transaction() as repo:
            sender = repo.sender(sender_id)
            return SenderView(sender, repo.sender_group(sender.group_id),
                              repo.sender_timeline(sender.group_id, limit))

    def merge_senders(self, actor: User, keep_sender_id: int, merge_sender_id: int) -> None:
        """Record that two platform identities are one person, and reassess their risk."""
        require(actor, Role.ANALYST)
        with self.transaction() as repo:
            keep, other = repo.sender(keep_sender_id), repo.sender(merge_sender_id)
            repo.merge_senders(keep.group_id, other.group_id)
            risk = assess(repo.group_summaries(keep.group_id), self.weights)
            repo.set_group_risk(keep.group_id, risk)
            repo.audit(actor.username, "sender.merged", f"sender:{keep.id}",
                       json.dumps({"merged": other.id}))

    def block_sender(self, actor: User, sender_id: int, *, blocked: bool) -> None:
        """Record that staff blocked (or unblocked) a sender on the platform.

        New accounts whose abusive messages repeat a blocked sender's wording get a risk signal.
        """
        require(actor, Role.ANALYST)
        with self.transaction() as repo:
            sender = repo.sender(sender_id)
            repo.set_blocked(sender.group_id, datetime.now(UTC) if blocked else None)
            repo.audit(actor.username, "sender.blocked" if blocked else "sender.unblocked",
                       f"sender:{sender.id}", "{}")

    # ---- staff accounts ----------------------------------------------------------------
    def add_user(self, actor: User, username: str, role: Role,
                 password: str | None = None) -> tuple[User, str]:
        """Create a staff account; returns it with its password (generated when not given)."""
        require(actor, Role.ADMIN)
        username = username.strip()
        if not username or len(username) > 100 or not username.isprintable():
            raise InvalidInputError("a user name is 1 to 100 printable characters")
        password = password or secrets.token_urlsafe(15)
        _check_password(password)
        with self.transaction() as repo:
            user = repo.add_user(username, _HASHER.hash(password), role.value)
            repo.audit(actor.username, "user.added", f"user:{user.id}",
                       json.dumps({"username": username, "role": role.value}))
        return user, password

    def users(self, actor: User) -> list[User]:
        """Every staff account (admins only)."""
        require(actor, Role.ADMIN)
        with self.transaction() as repo:
            return repo.users()

    def update_user(self, actor: User, username: str, *, role: Role | None = None,
                    disabled: bool | None = None) -> User:
        """Change another account's role or status (admins only)."""
        require(actor, Role.ADMIN)
        with self.transaction() as repo:
            found = repo.user_by_name(username)
            if found is None:
                raise NotFoundError(f"no user named {username!r}")
            repo.update_user(found[0].id, role=role.value if role else None, disabled=disabled)
            repo.audit(actor.username, "user.updated", f"user:{found[0].id}",
                       json.dumps({"role": role.value if role else None, "disabled": disabled}))
            return repo.user(found[0].id)

    def reset_password(self, actor: User, username: str, password: str | None = None) -> str:
        """Set a new password (admins, or the user for themself); ends their sessions."""
        if actor.username != username:
            require(actor, Role.ADMIN)
        password = password or secrets.token_urlsafe(15)
        _check_password(password)
        with self.transaction() as repo:
            found = repo.user_by_name(username)
            if found is None:
                raise NotFoundError(f"no user named {username!r}")
            repo.update_user(found[0].id, password_hash=_HASHER.hash(password))
            repo.audit(actor.username, "user.password_changed", f"user:{found[0].id}")
        return password

    def set_blur(self, actor: User, *, blur: bool) -> None:
        """A user's own choice to blur abusive text until clicked."""
        with self.transaction() as repo:
            repo.update_user(actor.id, blur_abusive=blur)
            repo.audit(actor.username, "user.preferences", f"user:{actor.id}",
                       json.dumps({"blur_abusive": blur}))

    def ensure_admin(self) -> str | None:
        """Create the first admin with a one-time password if there is no user yet."""
        with self.transaction() as repo:
            if repo.users():
                return None
        return self.add_user(cli_actor(), "admin", Role.ADMIN)[1]

    def authenticate(self, username: str, password: str) -> User | None:
        """The user if the password is right and the account enabled; None otherwise."""
        with self.transaction() as repo:
            found = repo.user_by_name(username)
            if found is None:
                _verify(_DUMMY_HASH, password)
                repo.audit(username[:100] or "?", "login.failed", "session")
                return None
            user, stored = found
            if not _verify(stored, password) or user.disabled:
                repo.audit(user.username, "login.failed", "session")
                return None
            if _HASHER.check_needs_rehash(stored):
                repo.update_user(user.id, password_hash=_HASHER.hash(password))
            repo.audit(user.username, "login", "session")
            return user

    def start_session(self, user: User) -> tuple[str, str]:
        """A new session token (for the cookie) and its CSRF token."""
        token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        expires = datetime.now(UTC) + timedelta(hours=self.settings.session_hours)
        with self.transaction() as repo:
            repo.add_session(token_hash(token), user.id, csrf, expires)
        return token, csrf

    def session(self, token: str) -> tuple[User, str] | None:
        """The user and CSRF token behind a session cookie, if it is live."""
        with self.transaction() as repo:
            return repo.session(token_hash(token), datetime.now(UTC))

    def end_session(self, token: str, actor: User) -> None:
        """Log out."""
        with self.transaction() as repo:
            repo.drop_session(token_hash(token))
            repo.audit(actor.username, "logout", "session")

    def create_api_token(self, actor: User, username: str, name: str) -> str:
        """A new API token for a user; only its hash is kept, so show it once."""
        if actor.username != username:
            require(actor, Role.ADMIN)
        token = "cs_" + secrets.token_urlsafe(32)
        with self.transaction() as repo:
            found = repo.user_by_name(username)
            if found is None:
                raise NotFoundError(f"no user named {username!r}")
            repo.add_api_token(token_hash(token), found[0].id, name)
            repo.audit(actor.username, "api_token.created", f"user:{found[0].id}",
                       json.dumps({"name": name}))
        return token

    def api_user(self, token: str) -> User | None:
        """The user an API token belongs to."""
        with self.transaction() as repo:
            return repo.user_for_api_token(token_hash(token))

    def audit_entries(self, actor: User, *, limit: int = 200, offset: int = 0) -> list[AuditEntry]:
        """The audit log, newest first (admins only)."""
        require(actor, Role.ADMIN)
        with self.transaction() as repo:
            return repo.audit_entries(limit, offset)


def _verify(stored: str, password: str) -> bool:
    try:
        return _HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInputError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")


def _file_sha256(path: Path) -> str:
    if path.is_dir():
        digest = hashlib.sha256()
        for child in sorted(path.glob("*.eml")):
            digest.update(child.name.encode() + b"\0" + child.read_bytes())
        return digest.hexdigest()
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _chunks(items: Iterable[Any], size: int) -> Iterator[list[Any]]:
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _as_draft(message: StoredMessage) -> MessageDraft:
    s = message.sender
    return MessageDraft(platform=message.platform, external_id=message.external_id,
                        sender=SenderRef(s.platform, s.external_id, s.handle, s.display_name),
                        text=message.text, created_at=message.created_at, raw=b"",
                        kind=message.kind, subject=message.subject, private=message.private)


__all__ = ["CivicShield", "ImportFailure", "ImportResult", "SenderView", "classify_records"]

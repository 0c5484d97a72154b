"""Live intake: configured sources (an IMAP inbox, a Mastodon or Bluesky account) read as messages
arrive, each message through the same pipeline as an import.

What a source delivers is stored in one transaction with its checkpoint and the alerts it fires:
after a crash the source resumes from the last checkpoint stored, and a message read twice is
recognised by its platform id and stored once. A source that fails waits (doubling from two
seconds to five minutes, or as long as the server asked) and tries again; its health line says
what went wrong in plain words.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from civicshield.domain import pipeline
from civicshield.domain.access import require
from civicshield.domain.errors import CivicShieldError, InvalidInputError, SourceError
from civicshield.domain.models import ChannelKind, Role, User
from civicshield.domain.ports import Delivery, LiveKind, Reach, StopSignal
from civicshield.services.context import ServiceContext, resolve_principal
from civicshield.storage.intake import IntakeSource, SqlIntakeRepository
from civicshield.storage.repository import SqlRepository

log = logging.getLogger("civicshield.intake")

#: What runs after messages are stored, in the same transaction (the alert rules).
OnStored = Callable[[SqlRepository, int, Sequence[tuple[str, str]]], int]

FIRST_WAIT = 2.0
MAX_WAIT = 300.0
#: How long a source waits after a failure only a person can fix (a refused password).
HUMAN_WAIT = 900.0
#: How often the running process looks for sources added, changed or switched off.
RELOAD_EVERY = 15.0


@dataclass(frozen=True)
class SourceHealth:
    """A source's health line, in plain words."""

    source: IntakeSource
    state: str  # "ok", "waiting", "failing", "off"
    line: str


def backoff(failures: int, error: SourceError) -> float:
    """Seconds to wait after ``failures`` failures in a row (capped, at least what the server
    asked for)."""
    if not error.retryable:
        return HUMAN_WAIT
    wait = min(FIRST_WAIT * 2.0 ** max(0, failures - 1), MAX_WAIT)
    asked = float(error.retry_after or 0.0)
    return max(wait, min(asked, 3600.0))


class Intake:
    """Sources, their health, and the long-running reader."""

    def __init__(self, context: ServiceContext, *, kinds: Mapping[str, LiveKind] | None = None,
                 on_stored: OnStored | None = None) -> None:
        self.context = context
        self._kinds = dict(kinds) if kinds is not None else None
        self.on_stored = on_stored

    @property
    def kinds(self) -> dict[str, LiveKind]:
        """The kinds of live source (the plugins', unless others were given)."""
        return dict(self.context.live_sources) if self._kinds is None else self._kinds

    # ---- configuration -------------------------------------------------------------------
    def add_source(self, actor: User, kind: str, name: str, config: Mapping[str, Any],
                   secret: Mapping[str, str], *, principal: str | None = None,
                   channel_kind: ChannelKind = ChannelKind.OFFICIAL) -> int:
        """Configure a source (admins). Credentials are stored encrypted and never shown."""
        require(actor, Role.ADMIN)
        live = self.kinds.get(kind)
        if live is None:
            raise InvalidInputError(f"unknown kind of source {kind!r} "
                                    f"({', '.join(sorted(self.kinds))})")
        name = name.strip()
        if not name or len(name) > 100 or "/" in name:
            raise InvalidInputError("field 'name': give the source a short name without '/'")
        checked = live.check(config, secret)
        kept = {k: v for k, v in secret.items() if k in live.secret_fields and v}
        with self.context.transaction(write=True) as repo:
            target = resolve_principal(repo, principal)
            source_id = SqlIntakeRepository(repo.conn, self.context.cipher).add(
                name=name, kind=kind, principal_id=target.id, channel_kind=channel_kind,
                config=checked, secret=kept, now=self.context.clock())
            repo.audit(actor.username, "intake.source_added", f"source:{name}", kind)
        return source_id

    def replace_secret(self, actor: User, source_id: int, secret: Mapping[str, str]) -> None:
        """New credentials for a source (admins)."""
        require(actor, Role.ADMIN)
        with self.context.transaction(write=True) as repo:
            store = SqlIntakeRepository(repo.conn, self.context.cipher)
            source = store.source(source_id)
            live = self.kinds[source.kind]
            live.check(source.config, secret)
            store.set_secret(source_id, {k: v for k, v in secret.items()
                                         if k in live.secret_fields and v})
            repo.audit(actor.username, "intake.credentials_replaced", f"source:{source.name}",
                       "")

    def set_enabled(self, actor: User, source_id: int, *, enabled: bool) -> None:
        """Switch a source on or off (admins)."""
        require(actor, Role.ADMIN)
        with self.context.transaction(write=True) as repo:
            store = SqlIntakeRepository(repo.conn, self.context.cipher)
            store.set_enabled(source_id, enabled=enabled)
            repo.audit(actor.username, "intake.enabled" if enabled else "intake.disabled",
                       f"source:{store.source(source_id).name}", "")

    def sources(self, actor: User) -> list[IntakeSource]:
        """Every configured source (never its credentials)."""
        require(actor, Role.ANALYST)
        with self.context.transaction() as repo:
            return SqlIntakeRepository(repo.conn, self.context.cipher).sources()

    def health(self, actor: User) -> list[SourceHealth]:
        """One line per source: last message, how current it is, the last error in words."""
        now = self.context.clock()
        return [_health(source, now) for source in self.sources(actor)]

    # ---- reading ---------------------------------------------------------------------------
    def store(self, source: IntakeSource, delivery: Delivery) -> int:
        """Store what a source delivered, its checkpoint and the alerts it fires, in one
        transaction; returns how many messages were new."""
        live = self.kinds[source.kind]
        stored = 0
        with self.context.transaction(write=True) as repo:
            if delivery.drafts:
                stored = self._store_drafts(repo, source, live, delivery)
            SqlIntakeRepository(repo.conn, self.context.cipher).save_checkpoint(
                source.id, dict(delivery.checkpoint), self.context.clock(),
                got_messages=stored > 0)
        return stored

    def _store_drafts(self, repo: SqlRepository, source: IntakeSource, live: LiveKind,
                      delivery: Delivery) -> int:
        handle = str(source.config.get("account") or source.config.get("username")
                     or source.config.get("handle") or source.name)
        channel = repo.ensure_channel(source.principal_id, live.platform, handle,
                                      source.channel_kind)
        digest = hashlib.sha256(b"".join(d.raw for d in delivery.drafts)).hexdigest()
        record = repo.start_import(source.principal_id, channel.id, f"live-{source.kind}",
                                   f"intake:{source.name}", digest, f"intake:{source.name}")
        ctx = pipeline.PipelineContext(repo=repo, registry=self.context.registry, record=record,
                                       profile=repo.profile(source.principal_id),
                                       weights=self.context.weights,
                                       blocked=tuple(repo.blocked_patterns()))
        done = pipeline.run(pipeline.Batch(drafts=delivery.drafts), ctx)
        repo.finish_import(record.id, done.stored, done.skipped)
        if self.on_stored is not None and done.stored:
            self.on_stored(repo, source.principal_id, [m.draft.key for m in done.analysed])
        return done.stored

    def read_source(self, source_id: int, stop: StopSignal) -> None:
        """Read one source until ``stop``: connect, store what arrives, wait and retry after a
        failure."""
        failures = 0
        while not stop.is_set():
            try:
                with self.context.transaction() as repo:
                    store = SqlIntakeRepository(repo.conn, self.context.cipher)
                    source, secret = store.source(source_id), store.secret(source_id)
                if not source.enabled:
                    return
                live = self.kinds[source.kind]
                settings = self.context.settings
                connection = live.connect(source.config, secret, Reach(
                    frozenset(settings.allowed_local_hosts),
                    str(settings.ca_file) if settings.ca_file else ""))
                checkpoint = source.checkpoint
                for delivery in connection.stream(checkpoint, stop):
                    self.store(source, delivery)
                    failures = 0
                    if stop.is_set():
                        return
                if stop.is_set():
                    return
                raise SourceError("the connection ended")
            except SourceError as exc:
                failures += 1
                self._failed(source_id, str(exc))
                stop.wait(backoff(failures, exc))
            except CivicShieldError as exc:
                failures += 1
                self._failed(source_id, str(exc))
                stop.wait(backoff(failures, SourceError(str(exc))))

    def _failed(self, source_id: int, problem: str) -> None:
        log.warning("intake source %d: %s", source_id, problem)
        with self.context.transaction(write=True) as repo:
            SqlIntakeRepository(repo.conn, self.context.cipher).record_error(
                source_id, problem, self.context.clock())

    def run(self, stop: StopSignal) -> None:
        """Read every enabled source, each in its own thread, until ``stop``; sources added or
        switched off are noticed within RELOAD_EVERY seconds."""
        running: dict[int, tuple[threading.Thread, threading.Event]] = {}
        while not stop.is_set():
            with self.context.transaction() as repo:
                wanted = {s.id for s in SqlIntakeRepository(repo.conn, self.context.cipher)
                          .sources(enabled_only=True) if s.kind in self.kinds}
            for source_id in wanted - set(running):
                own = threading.Event()
                thread = threading.Thread(target=self.read_source, args=(source_id, _Either(
                    stop, own)), name=f"intake-{source_id}", daemon=True)
                thread.start()
                running[source_id] = (thread, own)
            for source_id in set(running) - wanted:
                running.pop(source_id)[1].set()
            for source_id, (thread, _) in list(running.items()):
                if not thread.is_alive():
                    running.pop(source_id)
            stop.wait(RELOAD_EVERY)
        for thread, own in running.values():
            own.set()
            thread.join(timeout=10)


class _Either:
    """Set when either of two events is set (the process stopping, or this source)."""

    def __init__(self, first: StopSignal, second: threading.Event) -> None:
        self.first, self.second = first, second

    def is_set(self) -> bool:
        return self.first.is_set() or self.second.is_set()

    def wait(self, timeout: float | None = None) -> bool:
        step = 0.5
        waited = 0.0
        while not self.is_set() and (timeout is None or waited < timeout):
            self.second.wait(step if timeout is None else min(step, timeout - waited))
            waited += step
        return self.is_set()


def _ago(then: datetime | None, now: datetime) -> str:
    if then is None:
        return "never"
    seconds = max(0, int((now - then).total_seconds()))
    if seconds < 90:
        return f"{seconds} seconds ago"
    if seconds < 5400:
        return f"{seconds // 60} minutes ago"
    if seconds < 172800:
        return f"{seconds // 3600} hours ago"
    return f"{seconds // 86400} days ago"


def _health(source: IntakeSource, now: datetime) -> SourceHealth:
    said = (f"last message {_ago(source.last_message_at, now)}; "
            f"checked {_ago(source.last_poll_at, now)}")
    if not source.enabled:
        return SourceHealth(source, "off", f"switched off; {said}")
    failing = source.last_error and (source.last_poll_at is None or (
        source.last_error_at is not None and source.last_error_at >= source.last_poll_at))
    if failing:
        return SourceHealth(source, "failing",
                            f"{source.last_error} ({_ago(source.last_error_at, now)}); {said}")
    stale = source.last_poll_at is None or now - source.last_poll_at > timedelta(minutes=10)
    if stale:
        return SourceHealth(source, "waiting", f"not heard from recently; {said}")
    return SourceHealth(source, "ok", said)

"""The SQL repository: maps rows to domain objects; one instance is one open transaction."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Select,
    and_,
    bindparam,
    case,
    delete,
    exists,
    func,
    insert,
    or_,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.engine import Connection, Row
from sqlalchemy.exc import OperationalError
from sqlalchemy.sql.elements import ColumnElement

from civicshield.crypto import Cipher, EvidenceSigner
from civicshield.domain.detection import THRESHOLDS
from civicshield.domain.echo import BlockedPattern
from civicshield.domain.errors import InvalidInputError, NotFoundError
from civicshield.domain.escalation import MessageSummary, RiskAssessment
from civicshield.domain.models import (
    RISK_RANK_BONUS,
    ApiToken,
    AuditEntry,
    Channel,
    ChannelKind,
    Credential,
    Finding,
    MessageDraft,
    Principal,
    QueueRow,
    ReviewBatch,
    ReviewState,
    RiskLevel,
    Role,
    Sender,
    SenderMerge,
    StoredMessage,
    User,
)
from civicshield.domain.ports import AnalysedMessage, ImportRecord, QueueFilter
from civicshield.domain.profile import ProtectedProfile
from civicshield.domain.search import SearchQuery
from civicshield.domain.similarity import Identity, identity_keys, near_key
from civicshield.storage import search
from civicshield.storage.database import SQLITE_CACHE_KIB, SQLITE_SMALL_CACHE_KIB
from civicshield.storage.evidence import SqlEvidenceRepository
from civicshield.storage.exposure import SqlExposureRepository
from civicshield.storage.tables import (
    api_tokens,
    audit_log,
    channels,
    evidence_items,
    findings,
    import_mappings,
    imports,
    login_failures,
    message_labels,
    messages,
    principals,
    review_changes,
    risk_changes,
    sender_keys,
    sender_merges,
    senders,
    sessions,
    users,
)

Key = tuple[str, str]
#: Most history rows read per sender group when reassessing risk.
HISTORY_LIMIT = 500
#: Most values in one SQL IN list.
CHUNK = 400
#: A message's columns as a page reads them: all but the raw record as received, which can be
#: large and is read by itself when asked for (its hash is among these).
MESSAGE_COLUMNS = tuple(c for c in messages.c if c.key != "raw")


def _now() -> datetime:
    return datetime.now(UTC)


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _bonus(level: str) -> float:
    """What a sender's risk level adds to their messages' queue rank."""
    return RISK_RANK_BONUS[RiskLevel(level)]


#: Publishing an import shows its messages this many ids per statement.
PUBLISH_IDS = 2_000
#: SQLite: a bulk import of at least this many messages, and at least this share of the
#: store (by the highest message id), is published by building these indexes again.
REBUILD_FROM = 50_000
REBUILD_SHARE = 0.25
REBUILT_AT_PUBLICATION = frozenset({
    "ix_messages_queue_all", "ix_messages_queue_state", "ix_messages_queue_todo",
    "ix_messages_queue_group", "ix_messages_queue_channel", "ix_messages_group_time",
    "ix_messages_repeats"})
#: PostgreSQL: a search's page is read along the queue's index, each row's text checked
#: (about 23 µs a row at a million messages: its words are read again), only where the
#: planner expects the page within this many rows; else its matches are sorted (_sorted_first).
PG_MOST_WALKED = 2_000
#: Suggested matches compare a sender's wording with that of the store's latest messages.
RECENT_MESSAGES = 2_000
#: A queue position: (rank, created_at, id) of the last row shown; the next page starts after.
Cursor = tuple[float, datetime, int]


class SqlRepository:
    """Implements ``civicshield.domain.ports.Repository`` over one SQLAlchemy connection."""

    def __init__(self, conn: Connection, cipher: Cipher,
                 signer: EvidenceSigner | None = None) -> None:
        self.conn = conn
        self.cipher = cipher
        self._channels: dict[int, Channel] | None = None
        self._sender_ids: dict[Key, tuple[int, int]] = {}  # key -> (sender id, group id)
        self._group_risks: dict[int, tuple[str, float, str]] = {}  # group -> stored risk
        self._common_searches: dict[SearchQuery, bool] = {}  # search -> whether common
        self._sqlite_searches: dict[SearchQuery, search.SqliteSearch] = {}
        self._pg_searches: dict[SearchQuery, search.PgSearch] = {}
        self._newest_id: int | None = None  # (SQLite) about how many messages are stored
        # filter -> how many messages it keeps, counted with its first page (PostgreSQL) for
        # the count asked next in the same unit of work (``_sorted_page``)
        self._counted: dict[QueueFilter, int] = {}
        self._sqlite = conn.dialect.name == "sqlite"
        self.evidence = SqlEvidenceRepository(conn, cipher, signer)
        self.exposure = SqlExposureRepository(conn, cipher)

    # ---- principals and channels -------------------------------------------------------
    def add_principal(self, slug: str, display_name: str, title: str,
                      profile: ProtectedProfile | None) -> Principal:
        """Create a protected person; the profile is encrypted before it is written."""
        if self.conn.execute(select(principals.c.id).where(principals.c.slug == slug)).first():
            raise InvalidInputError(f"a principal named {slug!r} already exists")
        new_id = self.conn.execute(insert(principals).values(
            slug=slug, display_name=display_name, title=title, created_at=_now(),
            profile_encrypted=None)).inserted_primary_key
        assert new_id is not None
        if profile is not None:
            self.set_profile(new_id[0], profile)
        return Principal(id=new_id[0], slug=slug, display_name=display_name, title=title)

    def principals(self) -> list[Principal]:
        """Every protected person."""
        rows = self.conn.execute(select(principals).order_by(principals.c.id))
        return [Principal(r.id, r.slug, r.display_name, r.title) for r in rows]

    def principal_by_slug(self, slug: str) -> Principal:
        """The principal with this short name."""
        row = self.conn.execute(select(principals).where(principals.c.slug == slug)).first()
        if row is None:
            raise NotFoundError(f"no principal named {slug!r}")
        return Principal(row.id, row.slug, row.display_name, row.title)

    def profile(self, principal_id: int) -> ProtectedProfile | None:
        """Decrypt the principal's private identifiers."""
        blob = self.conn.execute(select(principals.c.profile_encrypted)
                                 .where(principals.c.id == principal_id)).scalar()
        if blob is None:
            return None
        plain = self.cipher.decrypt(blob, context=f"principal:{principal_id}".encode())
        return ProtectedProfile.from_json(plain.decode("utf-8"))

    def set_profile(self, principal_id: int, profile: ProtectedProfile) -> None:
        """Encrypt and store the principal's private identifiers."""
        blob = self.cipher.encrypt(profile.to_json().encode("utf-8"),
                                   context=f"principal:{principal_id}".encode())
        self.conn.execute(update(principals).where(principals.c.id == principal_id)
                          .values(profile_encrypted=blob))

    def ensure_channel(self, principal_id: int, platform: str, handle: str,
                       kind: ChannelKind) -> Channel:
        """Find or create the account a principal receives messages on."""
        where = and_(channels.c.principal_id == principal_id, channels.c.platform == platform,
                     channels.c.handle == handle)
        row = self.conn.execute(select(channels).where(where)).first()
        if row is None:
            self.conn.execute(insert(channels).values(principal_id=principal_id, platform=platform,
                                                      handle=handle, kind=kind.value))
            row = self.conn.execute(select(channels).where(where)).one()
            self._channels = None
        return _channel(row)

    def channels(self) -> list[Channel]:
        """Every account of every principal."""
        return list(self._channel_map().values())

    def _channel_map(self) -> dict[int, Channel]:
        if self._channels is None:
            rows = self.conn.execute(select(channels).order_by(channels.c.id))
            self._channels = {r.id: _channel(r) for r in rows}
        return self._channels

    # ---- imports and messages ----------------------------------------------------------
    def start_import(self, principal_id: int, channel_id: int, fmt: str, file_name: str,
                     file_sha256: str, actor: str, *, staged: bool = False,
                     bulk: bool = False) -> ImportRecord:
        """Record that an import has begun (``staged``: its messages stay hidden until it is
        published; ``bulk``: they are stored unjudged, and join their sender groups when it
        is published)."""
        result = self.conn.execute(insert(imports).values(
            principal_id=principal_id, channel_id=channel_id, format=fmt, file_name=file_name,
            file_sha256=file_sha256, actor=actor, started_at=_now(), added=0, skipped=0))
        assert result.inserted_primary_key is not None
        return ImportRecord(result.inserted_primary_key[0], principal_id, channel_id, fmt,
                            file_name, file_sha256, staged=staged, bulk=staged and bulk)

    def merge_search_index(self) -> bool:
        """SQLite: merge the search index's segments (after a bulk import: a page of a common
        search looks rows up in it one by one); PostgreSQL keeps its own index tidy. False
        when SQLite could not (the disk full, say): searches then still work, more slowly."""
        if self._sqlite:
            try:
                with self.conn.begin_nested(), self._small_cache():
                    self.conn.exec_driver_sql(search.SQLITE_MERGE)
            except OperationalError:
                return False
        return True

    @contextmanager
    def _small_cache(self, *, sorts_on_disk: bool = False) -> Iterator[None]:
        """SQLite: a small page cache (which also bounds the sorter's memory) for work that
        reads each page of an index once: building an index, merging the search index.
        ``sorts_on_disk``: SQLCipher keeps temporary data in memory, where a sort that
        outgrows its memory would spill the whole index; here it spills to a temporary file
        (deleted as it is opened) instead. Only for building the queue's indexes, whose
        sorted keys are ids, ranks, times, states and near-duplicate hashes: no text and no
        names. Where SQLite refuses (temporary data in use), the sort stays in memory."""
        self.conn.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_SMALL_CACHE_KIB}")
        on_disk = False
        if sorts_on_disk:
            with suppress(OperationalError):
                self.conn.exec_driver_sql("PRAGMA temp_store=FILE")
                on_disk = True
        try:
            yield
        finally:
            if on_disk:
                self.conn.exec_driver_sql("PRAGMA temp_store=DEFAULT")
            self.conn.exec_driver_sql(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}")

    def publish_import(self, import_id: int, added: int, skipped: int, *,
                       bulk: bool = False) -> None:
        """Show a staged import's messages, all at once (one transaction), and record its
        outcome. The rows change a range of ids per statement, and on SQLite a statement
        that fails fails the whole publication (``OR FAIL``: the caller's transaction is then
        rolled back), so that SQLite keeps no copy of the pages a statement changes to undo
        it alone: memory stays flat however large the file.

        A ``bulk`` import's rows join their sender groups now (the groups as they are now,
        merges made meanwhile included), ranked by the groups' risk. On SQLite, a bulk import
        that is a large share of the store has the indexes the publication fills built again
        from its sorted rows, in the same transaction (readers keep seeing the store as it
        was until it commits), instead of taking its rows one by one: those inserts land on
        a page each once an index outgrows the page cache."""
        first, last = self.conn.execute(
            select(func.min(messages.c.id), func.max(messages.c.id))
            .where(messages.c.import_id == import_id)).one()
        rebuilt = [i for i in messages.indexes if i.name in REBUILT_AT_PUBLICATION] if (
            bulk and self._sqlite and added >= REBUILD_FROM
            and added >= REBUILD_SHARE * int(last or 0)) else []
        for index in rebuilt:
            index.drop(self.conn)
        values: dict[str, Any] = {"staged": False}
        if bulk:
            sender = senders.c.id == messages.c.sender_id
            level = select(senders.c.risk_level).where(sender).scalar_subquery()
            values.update(group_id=select(senders.c.group_id).where(sender).scalar_subquery(),
                          rank=messages.c.priority + case(
                              {lv.value: bonus for lv, bonus in RISK_RANK_BONUS.items()},
                              value=level, else_=0.0))
        for low in range(int(first or 0), int(last or 0) + 1, PUBLISH_IDS):
            window = messages.c.id.between(low, low + PUBLISH_IDS - 1)
            self.conn.execute(update(messages).prefix_with("OR FAIL", dialect="sqlite")
                              .where(window, messages.c.import_id == import_id,
                                     messages.c.staged.is_(True))
                              .values(values))
            self.conn.execute(update(message_labels).prefix_with("OR FAIL", dialect="sqlite")
                              .where(message_labels.c.message_id.between(
                                         low, low + PUBLISH_IDS - 1),
                                     message_labels.c.message_id.in_(select(messages.c.id).where(
                                         window, messages.c.import_id == import_id,
                                         messages.c.superseded.is_(False))))
                              .values(shown=True))
        if rebuilt:
            with self._small_cache(sorts_on_disk=True):
                for index in rebuilt:
                    index.create(self.conn)
        self.finish_import(import_id, added, skipped)

    def discard_import(self, import_id: int) -> set[int]:
        """Remove what a failed staged import wrote (its messages and their findings, the
        senders and the channel only it brought, the words only its messages held) and put
        back the versions it superseded;
        returns the sender groups still there that it touched."""
        channel = self.conn.execute(select(imports.c.channel_id).where(
            imports.c.id == import_id)).scalar()
        rows = self.conn.execute(select(messages.c.id, messages.c.origin_id,
                                        messages.c.sender_id)
                                 .where(messages.c.import_id == import_id,
                                        messages.c.staged.is_(True))).all()
        words = search.words_of_messages(self.conn, [r.id for r in rows])
        for chunk in _chunks([r.id for r in rows]):
            self.conn.execute(delete(findings).where(findings.c.message_id.in_(chunk)))
            self.conn.execute(delete(messages).where(messages.c.id.in_(chunk)))
        search.unlist_words(self.conn, words)
        for origin in {r.origin_id for r in rows if r.origin_id}:
            family = select(messages.c.id).where(or_(messages.c.id == origin,
                                                     messages.c.origin_id == origin))
            newest = self.conn.execute(select(func.max(messages.c.id)).where(
                messages.c.id.in_(family))).scalar()
            self.conn.execute(update(messages).where(messages.c.id.in_(family)).values(
                superseded=messages.c.id != newest))
        self.conn.execute(delete(imports).where(imports.c.id == import_id))
        touched = self._drop_unused_senders({r.sender_id for r in rows})
        if channel is not None and not self.conn.execute(select(imports.c.id).where(
                imports.c.channel_id == channel).limit(1)).first():
            self.conn.execute(delete(channels).where(channels.c.id == channel))
        self._sender_ids.clear()
        self._group_risks.clear()
        return touched

    def _drop_unused_senders(self, sender_ids: set[int]) -> set[int]:
        """Delete those of the senders that no message names any more (and nobody blocked or
        merged); return the groups of the others."""
        kept: set[int] = set()
        for sender in self.conn.execute(select(senders).where(
                senders.c.id.in_(list(sender_ids)))).all():
            used = self.conn.execute(select(messages.c.id).where(
                messages.c.sender_id == sender.id).limit(1)).first()
            alone = self.conn.execute(select(func.count()).select_from(senders).where(
                senders.c.group_id == sender.group_id)).scalar_one() == 1
            if used or sender.blocked_at is not None or not alone:
                kept.add(sender.group_id)
                continue
            self.conn.execute(delete(risk_changes).where(
                risk_changes.c.group_id == sender.group_id))
            self.conn.execute(delete(senders).where(senders.c.id == sender.id))
        return kept

    def stale_imports(self) -> list[int]:
        """Staged imports a stopped process left unfinished."""
        return list(self.conn.execute(select(imports.c.id).where(
            imports.c.finished_at.is_(None), exists().where(
                messages.c.import_id == imports.c.id, messages.c.staged.is_(True))))
            .scalars())

    def finish_import(self, import_id: int, added: int, skipped: int) -> None:
        """Record the import's outcome."""
        self.conn.execute(update(imports).where(imports.c.id == import_id)
                          .values(finished_at=_now(), added=added, skipped=skipped))

    def existing_keys(self, principal_id: int, keys: Sequence[Key]) -> set[Key]:
        """Which of these (platform, external id) keys are already stored for the principal."""
        found: set[Key] = set()
        for platform, ids in _by_platform(keys).items():
            for chunk in _chunks(ids):
                rows = self.conn.execute(select(messages.c.external_id).where(
                    messages.c.principal_id == principal_id, messages.c.platform == platform,
                    messages.c.external_id.in_(chunk)))
                found.update((platform, external_id) for (external_id,) in rows)
        return found

    def latest_versions(self, principal_id: int,
                        keys: Sequence[Key]) -> dict[Key, tuple[str, str, int]]:
        """For each stored key: the newest version's subject and text, and how many versions
        there are (an edited record keeps every version)."""
        found: dict[Key, tuple[str, str, int]] = {}
        for platform, ids in _by_platform(keys).items():
            for chunk in _chunks(ids):
                firsts = self.conn.execute(select(
                    messages.c.id, messages.c.external_id, messages.c.subject, messages.c.text,
                    messages.c.superseded).where(
                    messages.c.principal_id == principal_id, messages.c.platform == platform,
                    messages.c.external_id.in_(chunk))).all()
                edited = [r.id for r in firsts if r.superseded]
                later: dict[int, list[Any]] = defaultdict(list)
                for more in _chunks(edited):
                    for version in self.conn.execute(select(
                            messages.c.origin_id, messages.c.subject, messages.c.text,
                            messages.c.superseded).where(messages.c.origin_id.in_(more))):
                        later[version.origin_id].append(version)
                for r in firsts:
                    versions = later.get(r.id, [])
                    newest: Any = next((v for v in versions if not v.superseded), r)
                    found[(platform, r.external_id)] = (newest.subject, newest.text,
                                                        1 + len(versions))
        return found

    def link_versions(self, principal_id: int, pairs: Sequence[tuple[Key, Key]]) -> None:
        """Make each (new key) the newest version of the record first stored as (first key):
        it points at the first, and every other version is superseded."""
        for (platform, new_id), (_, first_id) in pairs:
            ids = dict(self.conn.execute(select(messages.c.external_id, messages.c.id).where(
                messages.c.principal_id == principal_id, messages.c.platform == platform,
                messages.c.external_id.in_([new_id, first_id]))).all())
            newest, first = ids[new_id], ids[first_id]
            self.conn.execute(update(messages).where(messages.c.id == newest).values(
                origin_id=first, superseded=False))
            self.conn.execute(update(messages).where(
                or_(messages.c.id == first, messages.c.origin_id == first),
                messages.c.id != newest).values(superseded=True))
            self._sync_labels(self.conn.execute(select(messages.c.id).where(
                or_(messages.c.id == first, messages.c.origin_id == first))).scalars())

    def versions(self, message_id: int) -> list[tuple[int, datetime, bool]]:
        """Every version of a message's record (id, time, superseded), oldest first."""
        row = self.conn.execute(select(messages.c.id, messages.c.origin_id).where(
            messages.c.id == message_id)).first()
        if row is None:
            raise NotFoundError(f"no message with id {message_id}")
        first = row.origin_id or row.id
        return [(r.id, r.created_at, r.superseded) for r in self.conn.execute(
            select(messages.c.id, messages.c.created_at, messages.c.superseded).where(
                or_(messages.c.id == first, messages.c.origin_id == first))
            .order_by(messages.c.id))]

    def _sender_keys(self, keys: Sequence[Key]) -> dict[Key, tuple[int, int]]:
        """Sender id and group id of each known key (cached for this transaction)."""
        missing = [k for k in dict.fromkeys(keys) if k not in self._sender_ids]
        for platform, ids in _by_platform(missing).items():
            for chunk in _chunks(ids):
                rows = self.conn.execute(
                    select(senders.c.external_id, senders.c.id, senders.c.group_id,
                           senders.c.risk_level, senders.c.risk_score, senders.c.risk_signals)
                    .where(senders.c.platform == platform, senders.c.external_id.in_(chunk)))
                for r in rows:
                    self._sender_ids[(platform, r.external_id)] = (r.id, r.group_id)
                    self._group_risks[r.group_id] = (r.risk_level, r.risk_score, r.risk_signals)
        return {k: self._sender_ids[k] for k in keys if k in self._sender_ids}

    def sender_histories(self, keys: Sequence[Key]) -> dict[Key, list[MessageSummary]]:
        """Each known sender's (group's) recent history, oldest first."""
        by_group = {key: ids[1] for key, ids in self._sender_keys(keys).items()}
        summaries = self._summaries(sorted(set(by_group.values())))
        return {key: list(summaries.get(group, [])) for key, group in by_group.items()}

    def group_summaries(self, group_id: int) -> list[MessageSummary]:
        """What escalation needs from a sender group's latest messages, oldest first."""
        return self._summaries([group_id]).get(group_id, [])

    def _summaries(self, group_ids: Sequence[int]) -> dict[int, list[MessageSummary]]:
        """The latest HISTORY_LIMIT messages of each group, oldest first, in one query a chunk."""
        found: dict[int, list[MessageSummary]] = defaultdict(list)
        for chunk in _chunks(list(group_ids)):
            newest_first = func.row_number().over(partition_by=senders.c.group_id,
                                                  order_by=messages.c.created_at.desc())
            ranked = (select(senders.c.group_id, messages.c.created_at, messages.c.platform,
                             messages.c.private, messages.c.flags, messages.c.priority,
                             messages.c.cues, newest_first.label("n"))
                      .join(senders, senders.c.id == messages.c.sender_id)
                      .where(senders.c.group_id.in_(chunk)).subquery())
            rows = self.conn.execute(select(ranked).where(ranked.c.n <= HISTORY_LIMIT)
                                     .order_by(ranked.c.group_id, ranked.c.created_at))
            for r in rows:
                found[r.group_id].append(MessageSummary(r.created_at, r.platform, r.private,
                                                        _flags(r.flags), r.priority,
                                                        _flags(r.cues)))
        return found

    def _ensure_senders(self, drafts: Sequence[MessageDraft]) -> dict[Key, int]:
        refs = {d.sender.key: d.sender for d in drafts}
        known = self._sender_keys(list(refs))
        missing = [ref for key, ref in refs.items() if key not in known]
        if missing:
            self.conn.execute(insert(senders), [
                {"platform": r.platform, "external_id": r.external_id, "handle": r.handle[:300],
                 "display_name": r.display_name[:300], "group_id": None, "risk_level": "low",
                 "risk_score": 0.0, "risk_signals": "[]"} for r in missing])
            self.conn.execute(update(senders).where(senders.c.group_id.is_(None))
                              .values(group_id=senders.c.id))
            known = self._sender_keys(list(refs))
            keys = [{"sender_id": known[r.key][0], "key": key[:400]} for r in missing
                    for key in sorted(identity_keys(Identity(
                        known[r.key][0], known[r.key][0], r.platform, r.external_id,
                        r.handle[:300], r.display_name[:300])))]
            if keys:
                self.conn.execute(insert(sender_keys), keys)
        return {key: ids[0] for key, ids in known.items()}

    def store_messages(self, record: ImportRecord, analysed: Sequence[AnalysedMessage],
                       risks: dict[Key, RiskAssessment]) -> int:
        """Insert messages with their findings and update their senders' risk."""
        if not analysed:
            return 0
        sender_ids = self._ensure_senders([m.draft for m in analysed])
        placed: dict[int, tuple[int, str]] = {}
        for chunk in _chunks(list(set(sender_ids.values()))):
            placed.update((int(r.id), (int(r.group_id), r.risk_level)) for r in self.conn.execute(
                select(senders.c.id, senders.c.group_id, senders.c.risk_level)
                .where(senders.c.id.in_(chunk))))
        rows = [_message_row(record, m, sender_ids[m.draft.sender.key],
                             *placed[sender_ids[m.draft.sender.key]]) for m in analysed]
        ids = self._insert_messages(record.principal_id, rows)
        self._insert_findings(zip(ids, analysed, strict=True))
        self._sync_labels(i for i, m in zip(ids, analysed, strict=True) if m.flags)
        self.update_sender_risks(risks)
        return len(ids)

    def _insert_messages(self, principal_id: int, rows: list[dict[str, Any]]) -> list[int]:
        """Insert message rows; their ids, in the rows' order. SQLite cannot return ids in
        order from one statement of many rows (SQLAlchemy would insert them one by one), so
        there the rows go in one executemany and the ids are read back by their identity.
        Their words are listed for search (on SQLite here: ``search.list_pending_words``;
        PostgreSQL's triggers list them)."""
        if not self._sqlite:
            return [int(i) for i in self.conn.execute(insert(messages).returning(
                messages.c.id, sort_by_parameter_order=True), rows).scalars()]
        self.conn.execute(insert(messages), rows)
        search.list_pending_words(self.conn)
        by_key: dict[Key, int] = {}
        for platform, ids in _by_platform([(r["platform"], r["external_id"])
                                           for r in rows]).items():
            for chunk in _chunks(ids):
                by_key.update(((platform, r.external_id), int(r.id))
                              for r in self.conn.execute(
                    select(messages.c.id, messages.c.external_id).where(
                        messages.c.principal_id == principal_id,
                        messages.c.platform == platform, messages.c.external_id.in_(chunk))))
        return [by_key[(r["platform"], r["external_id"])] for r in rows]

    def _insert_findings(self, pairs: Iterable[tuple[int, AnalysedMessage]]) -> None:
        rows = [{"message_id": message_id, "detector": f.detector, "version": f.version,
                 "label": f.label, "score": f.score,
                 "span_start": f.span[0] if f.span else None,
                 "span_end": f.span[1] if f.span else None, "why": f.why[:500],
                 "flagged": f.score >= THRESHOLDS[f.label] and not f.cue, "cue": f.cue}
                for message_id, m in pairs for f in m.findings]
        if rows:
            self.conn.execute(insert(findings), rows)

    def update_sender_risks(self, risks: dict[Key, RiskAssessment]) -> None:
        """Set each sender group's risk from an assessment keyed by one of its members."""
        groups = {key: ids[1] for key, ids in self._sender_keys(list(risks)).items()}
        self._set_risks({groups[key]: risk for key, risk in risks.items() if key in groups})

    def set_group_risk(self, group_id: int, risk: RiskAssessment) -> None:
        """Store a group's risk level, score and signals on every member."""
        self._set_risks({group_id: risk})

    def _set_risks(self, by_group: dict[int, RiskAssessment]) -> None:
        """Write the risks that differ from what the group already has stored."""
        changed = {}
        for group, risk in by_group.items():
            stored = (risk.level.value, risk.score, json.dumps(list(risk.signals)))
            if self._group_risks.get(group) != stored:
                changed[group] = stored
        if not changed:
            return
        before = {g: r[0] for g, r in self._group_risks.items() if g in changed}
        unknown = [g for g in changed if g not in before]
        for chunk in _chunks(unknown):
            before.update((int(r.group_id), r.risk_level) for r in self.conn.execute(
                select(senders.c.group_id, senders.c.risk_level)
                .where(senders.c.group_id.in_(chunk)).distinct()))
        relevelled = {group: level for group, (level, _, _) in changed.items()
                      if before.get(group, "low") != level}
        if relevelled:
            self.conn.execute(insert(risk_changes), [
                {"group_id": group, "level": level, "at": _now()}
                for group, level in relevelled.items()])
        self.conn.execute(
            update(senders).where(senders.c.group_id == bindparam("g")).values(
                risk_level=bindparam("level"), risk_score=bindparam("score"),
                risk_signals=bindparam("signals")),
            [{"g": group, "level": level, "score": score, "signals": signals}
             for group, (level, score, signals) in changed.items()])
        self._group_risks.update(changed)
        self._rerank(relevelled)

    def _sync_labels(self, message_ids: Iterable[int]) -> None:
        """Copy these messages' flagged labels and queue columns into message_labels."""
        ids = list(dict.fromkeys(message_ids))
        for chunk in _chunks(ids):
            self.conn.execute(delete(message_labels).where(
                message_labels.c.message_id.in_(chunk)))
            rows = self.conn.execute(select(
                messages.c.id, messages.c.flags, messages.c.superseded, messages.c.staged,
                messages.c.review_state, messages.c.rank, messages.c.created_at).where(
                messages.c.id.in_(chunk), messages.c.flags != "")).all()
            labelled = [{"message_id": r.id, "label": label,
                         "shown": not (r.superseded or r.staged),
                         "review_state": r.review_state, "rank": r.rank,
                         "created_at": r.created_at}
                        for r in rows for label in dict.fromkeys(r.flags.split(",")) if label]
            if labelled:
                self.conn.execute(insert(message_labels), labelled)

    def _rerank(self, levels: dict[int, str]) -> None:
        """Keep the queue rank of these groups' messages current with their risk level."""
        if levels:
            self.conn.execute(
                update(messages).where(messages.c.group_id == bindparam("g"))
                .values(rank=messages.c.priority + bindparam("bonus")),
                [{"g": group, "bonus": _bonus(level)} for group, level in levels.items()])
            for chunk in _chunks(list(levels)):
                self._sync_labels(self.conn.execute(select(messages.c.id).where(
                    messages.c.group_id.in_(chunk), messages.c.flags != "")).scalars())

    def _group_level(self, group_id: int) -> str:
        level = self.conn.execute(select(senders.c.risk_level).where(
            senders.c.group_id == group_id).limit(1)).scalar()
        return str(level or "low")

    def messages_to_analyse(self, signature: str, after_id: int, limit: int, *,
                            include_current: bool) -> list[StoredMessage]:
        """The next messages (by id) whose analysis is missing or out of date."""
        query = select(*MESSAGE_COLUMNS).where(messages.c.id > after_id)
        if not include_current:
            query = query.where(messages.c.analysis_signature != signature)
        return self._load(query.order_by(messages.c.id).limit(limit))

    def count_to_analyse(self, signature: str, *, include_current: bool) -> int:
        """How many messages ``messages_to_analyse`` will hand out in all."""
        query = select(func.count()).select_from(messages)
        if not include_current:
            query = query.where(messages.c.analysis_signature != signature)
        return int(self.conn.execute(query).scalar_one())

    def sender_groups_of(self, message_ids: Sequence[int]) -> set[int]:
        """The sender groups these messages came from."""
        found: set[int] = set()
        for chunk in _chunks(list(message_ids)):
            found.update(int(g) for g in self.conn.execute(
                select(senders.c.group_id).join(messages, messages.c.sender_id == senders.c.id)
                .where(messages.c.id.in_(chunk)).distinct()).scalars())
        return found

    def replace_findings(self, analysed: Sequence[tuple[int, AnalysedMessage]],
                         signature: str) -> None:
        """Swap stored findings, flags and priority for freshly computed ones."""
        if not analysed:
            return
        ids = [message_id for message_id, _ in analysed]
        for chunk in _chunks(ids):
            self.conn.execute(delete(findings).where(findings.c.message_id.in_(chunk)))
        self._insert_findings(analysed)
        levels: dict[int, str] = {}
        for chunk in _chunks(ids):
            levels.update((int(r.id), r.risk_level) for r in self.conn.execute(
                select(messages.c.id, senders.c.risk_level)
                .join(senders, senders.c.id == messages.c.sender_id)
                .where(messages.c.id.in_(chunk))))
        self.conn.execute(
            update(messages).where(messages.c.id == bindparam("mid")).values(
                flags=bindparam("new_flags"), priority=bindparam("new_priority"),
                cues=bindparam("new_cues"), analysis_signature=signature,
                rank=bindparam("new_rank"), flagged=bindparam("new_flagged")),
            [{"mid": mid, "new_flags": ",".join(m.flags), "new_priority": m.priority,
              "new_cues": ",".join(m.cues), "new_flagged": bool(m.flags),
              "new_rank": m.priority + _bonus(levels.get(mid, "low"))} for mid, m in analysed])
        self._sync_labels(ids)

    # ---- triage ------------------------------------------------------------------------
    def _conditions(self, table: Any, flt: QueueFilter, *, shown: bool = True,
                    probe: bool = False, ordered: bool = False,
                    looked_up: bool = False) -> list[ColumnElement[bool]]:
        """What a queue filter asks of a row of ``table`` (messages or an alias of it); without
        ``shown`` the conditions that message_labels.shown already holds are left out. For a
        ``probe`` (a row's repeats, found by the repeats index) the columns are wrapped so that
        no planner reads a filter's index instead. ``ordered``: the rows are read in queue
        order (a search's matches may then be only checked, see ``_dense``); ``looked_up``:
        so read, and each row looked up in the search index by id (``_page``)."""
        def col(name: str) -> Any:
            column = table.c[name]
            return func.coalesce(column, column) if probe else column

        # an edited record shows its newest version; an import under way shows nothing yet
        conditions: list[ColumnElement[bool]] = [col("superseded").is_(False),
                                                 col("staged").is_(False)] if shown else []
        if flt.principal_id is not None:
            conditions.append(col("principal_id") == flt.principal_id)
        if flt.channel_id is not None:
            conditions.append(col("channel_id") == flt.channel_id)
        if flt.state is not None:
            conditions.append(col("review_state") == flt.state.value)
        if flt.since is not None:
            conditions.append(col("created_at") >= flt.since)
        if flt.until is not None:
            conditions.append(col("created_at") < flt.until)
        if flt.sender_group_id is not None:
            conditions.append(col("group_id") == flt.sender_group_id)
        if flt.flagged_only:
            conditions.append(col("flagged").is_(True))
        if flt.label is not None:
            conditions.append(exists().where(message_labels.c.message_id == table.c.id,
                                             message_labels.c.label == flt.label))
        if flt.search is not None:
            conditions.append(search.matches(
                table, self._sqlite_read(flt.search) if self._sqlite else self._pg_read(
                    flt.search),
                check_only=ordered and self._dense(flt.search), few=probe or looked_up))
        return conditions

    def _sqlite_search(self, query: SearchQuery) -> str:
        """A search as SQLite's index reads it (worked out once per unit of work)."""
        return self._sqlite_read(query).expression

    def _sqlite_read(self, query: SearchQuery) -> search.SqliteSearch:
        if query not in self._sqlite_searches:
            self._sqlite_searches[query] = search.sqlite_search(self.conn, query)
        return self._sqlite_searches[query]

    def _pg_read(self, query: SearchQuery) -> search.PgSearch:
        """A search as PostgreSQL's index reads it (worked out once per unit of work)."""
        if query not in self._pg_searches:
            self._pg_searches[query] = search.pg_search(self.conn, query)
        return self._pg_searches[query]

    def _rows_to_probe(self, flt: QueueFilter, rows: int) -> int:
        """SQLite: how many of a page's leading rows to look up one by one in the search index
        (search.rows_to_probe); 0 on PostgreSQL or without a search."""
        if flt.search is None or not self._sqlite:
            return 0
        if self._newest_id is None:
            self._newest_id = int(self.conn.execute(select(func.max(messages.c.id)))
                                  .scalar() or 0)
        return search.rows_to_probe(self._sqlite_read(flt.search), self._newest_id, rows)

    def _dense(self, query: SearchQuery) -> bool:
        """Whether a search matches so many messages that an ordered page is best read along
        the queue's index (SQLite; counted once per unit of work)."""
        if not self._sqlite:
            return False
        if query not in self._common_searches:
            common = search.DRIVE_FROM_MATCHES
            self._common_searches[query] = search.sqlite_match_count(
                self.conn, self._sqlite_search(query), common) > common
        return self._common_searches[query]

    def _filtered(self, query: Select[Any], flt: QueueFilter) -> Select[Any]:
        return query.where(*self._conditions(messages, flt))

    @staticmethod
    def _after(keys: tuple[Any, Any, Any], cursor: Cursor | None) -> list[ColumnElement[bool]]:
        """Rows after ``cursor`` in queue order (an index range, not an OFFSET)."""
        if cursor is None:
            return []
        rank, at, mid = cursor
        by_rank, by_time, by_id = keys
        return [by_rank <= rank,
                or_(by_rank < rank,
                    and_(by_rank == rank,
                         or_(by_time < at, and_(by_time == at, by_id < mid))))]

    def _ordered(self, flt: QueueFilter, *extra: ColumnElement[bool],
                 after: Cursor | None = None, columns: Any = None,
                 through: Cursor | None = None, looked_up: bool = False) -> Select[Any]:
        """The filtered messages in queue order (after ``after``, up to and with ``through``),
        read along the index that fits: a label's own index (message_labels) when the view is
        narrowed to a label, else messages'."""
        if flt.label is None:
            query = select(*MESSAGE_COLUMNS) if columns is None else select(*columns)
            keys = (messages.c.rank, messages.c.created_at, messages.c.id)
            query = query.where(*self._conditions(messages, flt, ordered=True,
                                                  looked_up=looked_up), *extra)
        else:
            labels = message_labels
            keys = (labels.c.rank, labels.c.created_at, labels.c.message_id)
            rest = self._conditions(messages, replace(flt, label=None, state=None), shown=False,
                                    ordered=True, looked_up=looked_up)
            if columns is not None and not rest and not extra:  # the label's index alone
                query = select(labels.c.message_id).where(labels.c.label == flt.label)
            else:
                query = (select(*MESSAGE_COLUMNS) if columns is None else select(*columns)).join(
                    labels, and_(labels.c.message_id == messages.c.id,
                                 labels.c.label == flt.label)).where(*rest, *extra)
            query = query.where(labels.c.shown.is_(True))
            if flt.state is not None:
                query = query.where(labels.c.review_state == flt.state.value)
        if through is not None:
            query = query.where(*self._through(keys, through))
        return query.where(*self._after(keys, after)).order_by(*(k.desc() for k in keys))

    @staticmethod
    def _through(keys: tuple[Any, Any, Any], cursor: Cursor) -> list[ColumnElement[bool]]:
        """Rows up to ``cursor`` in queue order, with it (an index range)."""
        rank, at, mid = cursor
        by_rank, by_time, by_id = keys
        return [by_rank >= rank,
                or_(by_rank > rank,
                    and_(by_rank == rank,
                         or_(by_time > at, and_(by_time == at, by_id >= mid))))]

    def queue(self, flt: QueueFilter, limit: int, offset: int = 0, *,
              after: Cursor | None = None) -> list[StoredMessage]:
        """Messages worst first (by the stored rank: priority plus the sender's risk bonus),
        newest first among equals; from ``after`` on (keyset), or skipping ``offset``."""
        return self._page(flt, limit, offset, after)

    def _outranked(self, row: Any, flt: QueueFilter) -> ColumnElement[bool]:
        """Whether ``row`` (of messages, or of a subquery of it) has a near-identical repeat
        that the filter keeps and that ranks above it (checked by the repeats index)."""
        other = messages.alias("repeat")
        return exists().where(  # the filter last: a search's lookup is the dear part
            other.c.group_id == row.c.group_id, other.c.near_key == row.c.near_key,
            other.c.id != row.c.id,
            or_(other.c.rank > row.c.rank,
                and_(other.c.rank == row.c.rank,
                     or_(other.c.created_at > row.c.created_at,
                         and_(other.c.created_at == row.c.created_at,
                              other.c.id > row.c.id)))),
            *self._conditions(other, flt, probe=True))

    def _page(self, flt: QueueFilter, limit: int, offset: int, after: Cursor | None, *,
              one_per_repeats: bool = False) -> list[StoredMessage]:
        """A page of the filtered messages in queue order; ``one_per_repeats``: only those
        that no near-identical repeat outranks. On SQLite the page of a common one-word
        search first looks up the view's leading rows in the search index one by one
        (``_rows_to_probe``), and reads what the page still lacks from the search's list of
        matches. On PostgreSQL, where the planner sorts a search's matches, they are checked
        for repeats after the sort, not before it (``_sorted_first``)."""
        extra = [~self._outranked(messages, flt)] if one_per_repeats else []
        walk = 0 if offset else self._rows_to_probe(flt, limit)
        if not walk:
            query = self._ordered(flt, *extra, after=after).limit(limit).offset(offset)
            if one_per_repeats and flt.search is not None and not self._sqlite and \
                    self._sorted_first(query, limit):
                return self._sorted_page(flt, limit, offset, after)
            return self._load(query)
        last_id = self.conn.execute(self._ordered(replace(flt, search=None), after=after,
                                                  columns=[messages.c.id])
                                    .limit(1).offset(walk - 1)).scalar()
        last = None if last_id is None else self.conn.execute(
            select(messages.c.rank, messages.c.created_at, messages.c.id)
            .where(messages.c.id == last_id)).one()
        through: Cursor | None = None if last is None else (last.rank, last.created_at,
                                                              last.id)
        found = self._load(self._ordered(flt, *extra, after=after, through=through,
                                         looked_up=True).limit(limit))
        if len(found) < limit and through is not None:
            found += self._load(self._ordered(flt, *extra, after=through)
                                .limit(limit - len(found)))
        return found

    def _sorted_page(self, flt: QueueFilter, limit: int, offset: int,
                     after: Cursor | None) -> list[StoredMessage]:
        """PostgreSQL: the page of a search whose matches are best sorted, each checked for
        an outranking repeat after the sort; the first page also counts the matches (for
        ``queue_count``, which would otherwise find them all again). The matches are sorted
        by their queue columns alone, and the page's rows read whole after."""
        matched = self._ordered(flt, after=after, columns=[
            messages.c.id, messages.c.rank, messages.c.created_at, messages.c.group_id,
            messages.c.near_key, func.count().over().label("matching")]).offset(0).subquery()
        rows = self.conn.execute(
            select(matched.c.id, matched.c.matching).where(~self._outranked(matched, flt))
            .order_by(matched.c.rank.desc(), matched.c.created_at.desc(), matched.c.id.desc())
            .limit(limit).offset(offset)).all()
        if after is None:
            self._counted[flt] = int(rows[0].matching) if rows else 0
        ids = [int(r.id) for r in rows]
        by_id = {m.id: m for m in self._load(select(*MESSAGE_COLUMNS)
                                             .where(messages.c.id.in_(ids)))} if ids else {}
        return [by_id[i] for i in ids]

    def _sorted_first(self, query: Select[Any], limit: int) -> bool:
        """PostgreSQL: whether a search's page (``query``) is best read by sorting its
        matches: where the planner would sort them (a search matching few messages), and
        where it would read along the queue's index, checking each row's text, but expects
        to read more than PG_MOST_WALKED rows for the page (it prices reading a text's words
        far below what it costs)."""
        compiled = query.compile(dialect=self.conn.dialect)
        found = self.conn.exec_driver_sql("EXPLAIN (FORMAT JSON) " + str(compiled),
                                          compiled.params).scalar_one()
        node = (found if isinstance(found, list) else json.loads(found))[0]["Plan"]
        while node["Node Type"] in {"Limit", "Gather Merge"} and node.get("Plans"):
            node = node["Plans"][0]
        if node["Node Type"] == "Sort":
            return True
        while node.get("Relation Name") is None and node.get("Plans"):
            node = node["Plans"][0]
        if node.get("Relation Name") != "messages" or node["Node Type"] != "Index Scan":
            return False
        stored = self.conn.execute(text(
            "SELECT reltuples FROM pg_class WHERE oid = 'messages'::regclass")).scalar()
        matching = float(node.get("Plan Rows") or 0)
        return bool(stored and stored > 0 and matching > 0
                    and limit * float(stored) / matching > PG_MOST_WALKED)

    def queue_rows(self, flt: QueueFilter, limit: int, offset: int = 0, *,
                   after: Cursor | None = None) -> list[QueueRow]:
        """The queue with one sender's near-identical messages as one row, worst first: a row
        is the most serious message of its repeats, so the number shown is the one that orders
        it. Read from the rank indexes, each row checked against its repeats by index."""
        picked = self._page(flt, limit, offset, after, one_per_repeats=True)
        if not picked:
            return []
        keys = self._near_keys([m.id for m in picked])
        members: dict[tuple[int, str], list[int]] = defaultdict(list)
        pairs = list({(m.sender.group_id, keys[m.id]) for m in picked})
        for chunk in _chunks(pairs, 100):
            for r in self._members(flt, or_(*[
                    and_(messages.c.group_id == g, messages.c.near_key == k) for g, k in chunk])):
                members[(int(r.group_id), r.near_key)].append(int(r.id))
        for ids in members.values():
            ids.sort()
        out = []
        for m in picked:
            ids = members.get((m.sender.group_id, keys[m.id]), [m.id])
            out.append(QueueRow(m, len(ids), tuple(ids)))
        return out

    def _members(self, flt: QueueFilter, repeats: ColumnElement[bool]) -> list[Row[Any]]:
        """The messages of these repeats (read by the repeats index) that the filter keeps. On
        SQLite each is looked up in the search index by id, but for a search that holds a
        prefix (whose matches FTS5 would list for each lookup): its matches are then read
        from the search index once, each checked against their ids."""
        columns = (messages.c.id, messages.c.group_id, messages.c.near_key)
        if flt.search is None or not self._sqlite or "*" not in self._sqlite_search(flt.search):
            return list(self.conn.execute(select(*columns).where(
                repeats, *self._conditions(messages, flt, probe=True))))
        found = [int(i) for i in self.conn.execute(select(messages.c.id).where(
            repeats, *self._conditions(messages, replace(flt, search=None), probe=True)))
            .scalars()]
        return [r for part in _chunks(found) for r in self.conn.execute(
            search.sqlite_from_matches(self._sqlite_search(flt.search), messages, columns,
                                       part))]

    def _near_keys(self, message_ids: Sequence[int]) -> dict[int, str]:
        return {int(r.id): r.near_key for r in self.conn.execute(
            select(messages.c.id, messages.c.near_key).where(messages.c.id.in_(message_ids)))}

    def queue_count(self, flt: QueueFilter, *, cap: int | None = None) -> int:
        """How many messages match the filter; with ``cap``, counting stops past it (the
        answer is then ``cap + 1``: "more than cap")."""
        if flt in self._counted:  # counted with its first page
            return self._counted[flt] if cap is None else min(self._counted[flt], cap + 1)
        if cap is None:
            inner = select(messages.c.id).where(*self._conditions(messages, flt))
        elif flt.search is not None and self._sqlite:
            # read from the search's index one match at a time, and stop past the cap
            inner = search.sqlite_from_matches(self._sqlite_search(flt.search), messages,
                                               [messages.c.id]).where(
                *self._conditions(messages, replace(flt, search=None))).limit(cap + 1)
        elif flt.search is not None:  # read from the search's matches, and stop past the cap
            inner = select(messages.c.id).where(*self._conditions(messages, flt)).limit(cap + 1)
        else:  # read along the queue's own index, and stop past the cap
            inner = self._ordered(flt, columns=[messages.c.id]).limit(cap + 1)
        return int(self.conn.execute(select(func.count()).select_from(inner.subquery()))
                   .scalar_one())

    def count_unjudged(self, cap: int) -> int:
        """How many shown messages no detector has judged yet (a bulk import's), up to
        ``cap + 1``."""
        inner = select(messages.c.id).where(messages.c.analysis_signature == "",
                                            messages.c.superseded.is_(False),
                                            messages.c.staged.is_(False)).limit(cap + 1)
        return int(self.conn.execute(select(func.count()).select_from(inner.subquery()))
                   .scalar_one())

    def message(self, message_id: int) -> StoredMessage:
        """One message with its findings."""
        found = self._load(select(*MESSAGE_COLUMNS).where(messages.c.id == message_id),
                           with_findings=True)
        if not found:
            raise NotFoundError(f"no message with id {message_id}")
        return found[0]

    def messages_by_keys(self, principal_id: int,
                         keys: Sequence[Key]) -> list[StoredMessage]:
        """The stored messages of a principal with these (platform, platform id) keys, with
        their findings, in id order."""
        found: list[StoredMessage] = []
        for platform, ids in _by_platform(list(dict.fromkeys(keys))).items():
            for chunk in _chunks(ids):
                found += self._load(select(*MESSAGE_COLUMNS).where(
                    messages.c.principal_id == principal_id, messages.c.platform == platform,
                    messages.c.external_id.in_(chunk)), with_findings=True)
        return sorted(found, key=lambda m: m.id)

    def recent_keys(self, principal_id: int, since: datetime) -> list[Key]:
        """The (platform, platform id) keys of a principal's messages created since ``since``."""
        return [(r.platform, r.external_id) for r in self.conn.execute(
            select(messages.c.platform, messages.c.external_id).where(
                messages.c.principal_id == principal_id, messages.c.created_at >= since)
            .order_by(messages.c.id))]

    def raw_payload(self, message_id: int) -> bytes:
        """The original record, byte for byte."""
        raw = self.conn.execute(select(messages.c.raw).where(messages.c.id == message_id)).scalar()
        if raw is None:
            raise NotFoundError(f"no message with id {message_id}")
        return bytes(raw)

    def incident_messages(self, incident_id: int, chunk: int = 500) -> Iterator[StoredMessage]:
        """An incident's messages, oldest first, read a chunk at a time (with findings)."""
        members = select(evidence_items.c.message_id).where(
            evidence_items.c.incident_id == incident_id,
            evidence_items.c.message_id.is_not(None))
        after: tuple[datetime, int] | None = None
        while True:
            query = select(*MESSAGE_COLUMNS).where(messages.c.id.in_(members))
            if after is not None:
                query = query.where(tuple_(messages.c.created_at, messages.c.id) > after)
            found = self._load(query.order_by(messages.c.created_at, messages.c.id).limit(chunk),
                               with_findings=True)
            yield from found
            if len(found) < chunk:
                return
            after = (found[-1].created_at, found[-1].id)

    def import_format(self, message_id: int) -> str:
        """The format of the file a message was imported from (mbox, csv, form, ...)."""
        found = self.conn.execute(select(imports.c.format).join(
            messages, messages.c.import_id == imports.c.id).where(messages.c.id == message_id)
        ).scalar()
        if found is None:
            raise NotFoundError(f"no message with id {message_id}")
        return str(found)

    def message_source(self, message_id: int) -> dict[str, str]:
        """Where a message came from: platform identifiers, URL and the import file."""
        row = self.conn.execute(
            select(messages.c.platform, messages.c.external_id, messages.c.url,
                   messages.c.raw_sha256, messages.c.created_at, senders.c.external_id.label("sid"),
                   senders.c.handle, imports.c.file_name, imports.c.file_sha256,
                   imports.c.started_at)
            .join(senders, senders.c.id == messages.c.sender_id)
            .join(imports, imports.c.id == messages.c.import_id)
            .where(messages.c.id == message_id)).first()
        if row is None:
            raise NotFoundError(f"no message with id {message_id}")
        return {"platform": row.platform, "message_id": row.external_id, "url": row.url,
                "sender_id": row.sid, "sender_handle": row.handle,
                "sent_at": row.created_at.isoformat(), "import_file": row.file_name,
                "import_file_sha256": row.file_sha256, "imported_at": row.started_at.isoformat(),
                "raw_sha256_at_import": row.raw_sha256}

    def message_facts(self, message_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """What the store holds now of captured messages, in the terms a capture records
        (compared with the ledger on verify)."""
        found: dict[int, dict[str, Any]] = {}
        for chunk in _chunks(list(dict.fromkeys(message_ids))):
            rows = self.conn.execute(
                select(messages.c.id, messages.c.platform, messages.c.external_id,
                       messages.c.url, messages.c.text, messages.c.subject,
                       messages.c.created_at, senders.c.external_id.label("sid"))
                .join(senders, senders.c.id == messages.c.sender_id)
                .where(messages.c.id.in_(chunk)))
            for r in rows:
                found[int(r.id)] = {"platform": r.platform, "external_id": r.external_id,
                                    "url": r.url, "text": r.text, "subject": r.subject,
                                    "created_at": r.created_at.astimezone(UTC).isoformat(),
                                    "sender_id": r.sid}
        return found

    def set_review_state(self, message_ids: Sequence[int], state: ReviewState,
                         actor: str) -> ReviewBatch:
        """Move messages to a review state, keeping what each was before so the action can
        be undone; the batch names the messages that changed."""
        batch, now, changed = secrets.token_hex(8), _now(), []
        for chunk in _chunks(list(dict.fromkeys(message_ids))):
            before = self.conn.execute(
                select(messages.c.id, messages.c.review_state, messages.c.reviewed_by,
                       messages.c.reviewed_at)
                .where(messages.c.id.in_(chunk), messages.c.review_state != state.value)).all()
            if not before:
                continue
            self.conn.execute(update(messages).where(messages.c.id.in_([r.id for r in before]))
                              .values(review_state=state.value, reviewed_by=actor,
                                      reviewed_at=now))
            self.conn.execute(insert(review_changes), [
                {"batch": batch, "message_id": r.id, "before_state": r.review_state,
                 "before_by": r.reviewed_by, "before_at": r.reviewed_at,
                 "after_state": state.value, "actor": actor, "at": now} for r in before])
            changed += [int(r.id) for r in before]
            self.conn.execute(update(message_labels).where(
                message_labels.c.message_id.in_([r.id for r in before]))
                .values(review_state=state.value))
        return ReviewBatch(batch, actor, now, state, tuple(changed))

    def review_batch(self, batch: str) -> ReviewBatch:
        """One review action."""
        rows = self.conn.execute(select(review_changes).where(review_changes.c.batch == batch)
                                 .order_by(review_changes.c.id)).all()
        if not rows:
            raise NotFoundError("that change is no longer known")
        first = rows[0]
        return ReviewBatch(batch, first.actor, first.at, ReviewState(first.after_state),
                           tuple(int(r.message_id) for r in rows),
                           undone=all(r.undone_at is not None for r in rows))

    def undo_review(self, batch: str) -> int:
        """Put a review action's messages back as they were, unless someone changed them again
        since; returns how many went back."""
        rows = self.conn.execute(select(review_changes).where(
            review_changes.c.batch == batch, review_changes.c.undone_at.is_(None))).all()
        restored = 0
        for r in rows:
            result = self.conn.execute(update(messages).where(
                messages.c.id == r.message_id, messages.c.review_state == r.after_state,
                messages.c.reviewed_at == r.at).values(
                review_state=r.before_state, reviewed_by=r.before_by, reviewed_at=r.before_at))
            restored += result.rowcount
        self._sync_labels(r.message_id for r in rows)
        self.conn.execute(update(review_changes).where(review_changes.c.batch == batch)
                          .values(undone_at=_now()))
        return restored

    def recent_review_batches(self, limit: int, actor: str = "") -> list[ReviewBatch]:
        """The latest review actions, newest first (one person's with ``actor``)."""
        query = select(review_changes.c.batch, func.max(review_changes.c.id).label("last")
                       ).group_by(review_changes.c.batch)
        if actor:
            query = query.where(review_changes.c.actor == actor)
        batches = [r.batch for r in self.conn.execute(
            query.order_by(func.max(review_changes.c.id).desc()).limit(limit))]
        return [self.review_batch(b) for b in batches]

    def sender(self, sender_id: int, *, with_stats: bool = True) -> Sender:
        """One sender; ``with_stats``: with how many messages they sent, and when (read from
        each of their messages)."""
        row = self.conn.execute(select(senders).where(senders.c.id == sender_id)).first()
        if row is None:
            raise NotFoundError(f"no sender with id {sender_id}")
        return self._senders_with_stats([row])[row.id] if with_stats else _sender(row, None)

    def sender_group(self, group_id: int) -> list[Sender]:
        """Every platform identity merged into one group."""
        rows = self.conn.execute(select(senders).where(senders.c.group_id == group_id)
                                 .order_by(senders.c.id)).all()
        stats = self._senders_with_stats(rows)
        return [stats[r.id] for r in rows]

    def sender_timeline(self, group_id: int, limit: int,
                        before: tuple[datetime, int] | None = None) -> list[StoredMessage]:
        """A sender group's messages across channels, newest first; those older than
        ``before`` (a message's time and id) when given."""
        older = [] if before is None else [or_(
            messages.c.created_at < before[0],
            and_(messages.c.created_at == before[0], messages.c.id < before[1]))]
        return self._load(select(*MESSAGE_COLUMNS).where(messages.c.group_id == group_id,
                                                 messages.c.staged.is_(False), *older)
                          .order_by(messages.c.created_at.desc(), messages.c.id.desc())
                          .limit(limit))

    def merge_senders(self, keep_group_id: int, merge_group_id: int,
                      actor: str) -> SenderMerge:
        """Fold one sender group into another (staff say they are one person), recording the
        identities moved so the merge can be undone."""
        if keep_group_id == merge_group_id:
            raise InvalidInputError("a sender cannot be merged with itself")
        moved = [int(i) for i in self.conn.execute(
            select(senders.c.id).where(senders.c.group_id == merge_group_id)).scalars()]
        for group, ids in ((keep_group_id, [1] if self.conn.execute(
                select(senders.c.id).where(senders.c.group_id == keep_group_id)).first()
                else []), (merge_group_id, moved)):
            if not ids:
                raise NotFoundError(f"no sender group {group}")
        self.conn.execute(update(senders).where(senders.c.group_id == merge_group_id)
                          .values(group_id=keep_group_id))
        self.conn.execute(update(messages).where(messages.c.group_id == merge_group_id)
                          .values(group_id=keep_group_id))
        self._rerank({keep_group_id: self._group_level(keep_group_id)})
        now = _now()
        merge_id = self.conn.execute(insert(sender_merges).values(
            keep_group_id=keep_group_id, merged_group_id=merge_group_id,
            sender_ids=json.dumps(moved), actor=actor, at=now)
            .returning(sender_merges.c.id)).scalar_one()
        self._sender_ids.clear()
        self._group_risks.clear()
        return SenderMerge(int(merge_id), keep_group_id, merge_group_id, tuple(moved), actor, now)

    def sender_merge(self, merge_id: int) -> SenderMerge:
        """One recorded merge."""
        row = self.conn.execute(select(sender_merges).where(sender_merges.c.id == merge_id)
                                ).first()
        if row is None:
            raise NotFoundError(f"no merge with id {merge_id}")
        return SenderMerge(row.id, row.keep_group_id, row.merged_group_id,
                           tuple(json.loads(row.sender_ids)), row.actor, row.at,
                           undone=row.undone_at is not None)

    def undo_merge(self, merge_id: int, actor: str) -> SenderMerge:
        """Move a merge's identities back to their own group."""
        merge = self.sender_merge(merge_id)
        if merge.undone:
            raise InvalidInputError("that merge was undone already")
        self.conn.execute(update(senders).where(senders.c.id.in_(merge.sender_ids),
                                                senders.c.group_id == merge.keep_group_id)
                          .values(group_id=merge.merged_group_id))
        self.conn.execute(update(messages).where(messages.c.sender_id.in_(merge.sender_ids))
                          .values(group_id=merge.merged_group_id))
        self._rerank({g: self._group_level(g) for g in (merge.keep_group_id,
                                                        merge.merged_group_id)})
        self.conn.execute(update(sender_merges).where(sender_merges.c.id == merge_id)
                          .values(undone_at=_now(), undone_by=actor))
        self._sender_ids.clear()
        self._group_risks.clear()
        return merge

    def search_senders(self, query: str, limit: int) -> list[Sender]:
        """Senders whose name, handle, platform id or number contains ``query``, riskiest
        first."""
        text = query.strip().lstrip("#").lower()
        if not text:
            return []
        conditions: list[ColumnElement[bool]] = [
            func.lower(column).contains(text, autoescape=True)
            for column in (senders.c.display_name, senders.c.handle, senders.c.external_id)]
        if text.isdigit():
            conditions.append(senders.c.id == int(text))
        rows = self.conn.execute(select(senders).where(or_(*conditions))
                                 .order_by(senders.c.risk_score.desc(), senders.c.id)
                                 .limit(limit)).all()
        stats = self._senders_with_stats(rows)
        return [stats[r.id] for r in rows]

    def match_candidates(self, group_id: int, *, own_texts: int = 100,
                         other_texts: int = 1000) -> tuple[list[Identity], list[str],
                                                           list[Identity], dict[int, list[str]]]:
        """What ``domain.similarity.suggest_matches`` compares, bounded: the group's
        identities and latest texts; identities elsewhere with its email addresses or names;
        and, of the store's latest RECENT_MESSAGES, the flagged or linking messages of other
        groups, with their identities."""
        mine = [_identity(r) for r in self.conn.execute(
            select(senders).where(senders.c.group_id == group_id))]
        texts = list(self.conn.execute(
            select(messages.c.text)
            .where(messages.c.group_id == group_id, messages.c.staged.is_(False))
            .order_by(messages.c.created_at.desc()).limit(own_texts)).scalars())
        keys = sorted(set().union(*(identity_keys(i) for i in mine)))
        others = [_identity(r) for r in self.conn.execute(
            select(senders).where(senders.c.id.in_(
                select(sender_keys.c.sender_id).where(sender_keys.c.key.in_(keys))),
                senders.c.group_id != group_id).order_by(senders.c.id).limit(200))
        ] if keys else []
        # among the latest messages only (read newest first along the time index): the
        # cost stays the same however large the store grows
        recent = (select(messages.c.text, messages.c.group_id, messages.c.flags,
                         messages.c.created_at)
                  .where(messages.c.staged.is_(False))
                  .order_by(messages.c.created_at.desc()).limit(RECENT_MESSAGES).subquery())
        rows = self.conn.execute(
            select(recent.c.text, recent.c.group_id)
            .where(recent.c.group_id != group_id,
                   or_(and_(recent.c.flags != "", recent.c.flags != "spam"),
                       recent.c.text.like("%http%")))
            .order_by(recent.c.created_at.desc()).limit(other_texts)).all()
        by_group: dict[int, list[str]] = defaultdict(list)
        for r in rows:
            by_group[int(r.group_id)].append(r.text)
        known = {i.group_id for i in others}
        for chunk in _chunks([g for g in by_group if g not in known]):
            others += [_identity(r) for r in self.conn.execute(
                select(senders).where(senders.c.group_id.in_(chunk)))]
        return mine, texts, others, dict(by_group)

    def import_mapping(self, headers_key: str) -> tuple[str, dict[str, Any]] | None:
        """The column mapping saved for a form's headers: (source name, mapping)."""
        row = self.conn.execute(select(import_mappings).where(
            import_mappings.c.headers_key == headers_key)).first()
        return (row.source_name, json.loads(row.mapping)) if row else None

    def save_import_mapping(self, headers_key: str, source_name: str, mapping: dict[str, Any],
                            actor: str) -> None:
        """Remember (or replace) the column mapping for a form's headers."""
        values = {"source_name": source_name[:200], "mapping": json.dumps(mapping),
                  "updated_by": actor, "updated_at": _now()}
        if self.import_mapping(headers_key) is None:
            self.conn.execute(insert(import_mappings).values(headers_key=headers_key, **values))
        else:
            self.conn.execute(update(import_mappings).where(
                import_mappings.c.headers_key == headers_key).values(**values))

    def set_blocked(self, group_id: int, when: datetime | None) -> None:
        """Record that staff blocked a sender group on the platform (None: unblocked)."""
        self.conn.execute(update(senders).where(senders.c.group_id == group_id)
                          .values(blocked_at=when))

    def blocked_patterns(self, per_group: int = 200) -> list[BlockedPattern]:
        """Each blocked group's members and the wording of its latest abusive messages."""
        rows = self.conn.execute(select(senders.c.group_id, senders.c.platform,
                                        senders.c.external_id, senders.c.blocked_at)
                                 .where(senders.c.blocked_at.is_not(None))).all()
        groups: dict[int, list[Any]] = defaultdict(list)
        for r in rows:
            groups[r.group_id].append(r)
        out = []
        for group_id, members in groups.items():
            texts = self.conn.execute(
                select(messages.c.text).join(senders, senders.c.id == messages.c.sender_id)
                .where(senders.c.group_id == group_id, messages.c.flags != "",
                       messages.c.flags != "spam")
                .order_by(messages.c.created_at.desc()).limit(per_group)).scalars()
            out.append(BlockedPattern.of(group_id, [(m.platform, m.external_id) for m in members],
                                         min(m.blocked_at for m in members), texts))
        return out

    def _senders_with_stats(self, rows: Sequence[Row[Any]]) -> dict[int, Sender]:
        ids = [r.id for r in rows]
        stats: dict[int, Row[Any]] = {}
        for chunk in _chunks(ids):
            stats.update({s.sender_id: s for s in self.conn.execute(
                select(messages.c.sender_id, func.count().label("n"),
                       func.min(messages.c.created_at).label("first"),
                       func.max(messages.c.created_at).label("last"))
                .where(messages.c.sender_id.in_(chunk)).group_by(messages.c.sender_id))})
        return {r.id: _sender(r, stats.get(r.id)) for r in rows}

    def _load(self, query: Select[Any], *, with_findings: bool = False) -> list[StoredMessage]:
        return self._stored(self.conn.execute(query).all(), with_findings=with_findings)

    def _stored(self, rows: Sequence[Row[Any]], *,
                with_findings: bool = False) -> list[StoredMessage]:
        """Messages from their rows, with their senders and channels (and findings)."""
        if not rows:
            return []
        sender_rows: list[Row[Any]] = []
        for chunk in _chunks(list({r.sender_id for r in rows})):
            sender_rows += self.conn.execute(select(senders).where(senders.c.id.in_(chunk))).all()
        by_id = {r.id: _sender(r, None) for r in sender_rows}
        found: dict[int, list[Finding]] = defaultdict(list)
        if with_findings:
            for f in self.conn.execute(select(findings).where(
                    findings.c.message_id.in_([r.id for r in rows])).order_by(findings.c.id)):
                found[f.message_id].append(_finding(f))
        chans = self._channel_map()
        return [_stored(r, chans[r.channel_id], by_id[r.sender_id], found.get(r.id, []))
                for r in rows]

    # ---- people and accountability -----------------------------------------------------
    def add_user(self, username: str, password_hash: str, role: str, *,
                 one_time: bool = False) -> User:
        """Create a staff account (``one_time``: its password works for one login)."""
        if self.user_by_name(username) is not None:
            raise InvalidInputError(f"a user named {username!r} already exists")
        result = self.conn.execute(insert(users).values(
            username=username, password_hash=password_hash, role=Role(role).value,
            blur_abusive=True, disabled=False, created_at=_now(),
            password_state=Credential.ONE_TIME if one_time else Credential.CHOSEN))
        assert result.inserted_primary_key is not None
        return self.user(result.inserted_primary_key[0])

    def user(self, user_id: int) -> User:
        """One staff account."""
        row = self.conn.execute(select(users).where(users.c.id == user_id)).first()
        if row is None:
            raise NotFoundError(f"no user with id {user_id}")
        return _user(row)

    def user_by_name(self, username: str) -> tuple[User, str] | None:
        """A staff account and its password hash, for login."""
        row = self.conn.execute(select(users).where(users.c.username == username)).first()
        return None if row is None else (_user(row), row.password_hash)

    def password_state(self, user_id: int) -> Credential:
        """What the account's password is (one-time, used, chosen)."""
        return Credential(self.conn.execute(select(users.c.password_state)
                                            .where(users.c.id == user_id)).scalar_one())

    def add_login_failure(self, key: str, at: datetime) -> None:
        """Count one failed login against a key (an account or an address)."""
        self.conn.execute(insert(login_failures).values(key=key[:200], at=at))

    def login_failures(self, key: str, since: datetime) -> int:
        """Failed logins counted against a key since a time."""
        return int(self.conn.execute(select(func.count()).select_from(login_failures).where(
            login_failures.c.key == key[:200], login_failures.c.at >= since)).scalar_one())

    def clear_login_failures(self, key: str) -> None:
        """Forget a key's failed logins (after a good login or a password reset)."""
        self.conn.execute(delete(login_failures).where(login_failures.c.key == key[:200]))

    def prune_login_failures(self, before: datetime) -> None:
        """Forget every failed login older than ``before`` (they no longer count)."""
        self.conn.execute(delete(login_failures).where(login_failures.c.at < before))

    def users(self) -> list[User]:
        """Every staff account."""
        return [_user(r) for r in self.conn.execute(select(users).order_by(users.c.username))]

    def update_user(self, user_id: int, *, role: str | None = None,
                    password_hash: str | None = None, blur_abusive: bool | None = None,
                    disabled: bool | None = None, password_state: str | None = None) -> None:
        """Change a staff account's role, password (and whether it is one-time), blur
        preference or status."""
        values: dict[str, Any] = {}
        if password_state is not None:
            values["password_state"] = password_state
        if role is not None:
            values["role"] = Role(role).value
        if password_hash is not None:
            values["password_hash"] = password_hash
        if blur_abusive is not None:
            values["blur_abusive"] = blur_abusive
        if disabled is not None:
            values["disabled"] = disabled
        if values:
            self.user(user_id)
            self.conn.execute(update(users).where(users.c.id == user_id).values(**values))
        if password_hash is not None or disabled:
            self.conn.execute(delete(sessions).where(sessions.c.user_id == user_id))
            self.conn.execute(delete(api_tokens).where(api_tokens.c.user_id == user_id))

    def add_session(self, token_hash: str, user_id: int, csrf_token: str,
                    expires_at: datetime) -> None:
        """Remember a login by the hash of its cookie token."""
        self.conn.execute(delete(sessions).where(sessions.c.expires_at < _now()))
        self.conn.execute(insert(sessions).values(token_hash=token_hash, user_id=user_id,
                                                  csrf_token=csrf_token, created_at=_now(),
                                                  expires_at=expires_at))

    def session(self, token_hash: str, now: datetime) -> tuple[User, str] | None:
        """The user and CSRF token of a live session."""
        row = self.conn.execute(select(sessions).where(sessions.c.token_hash == token_hash,
                                                       sessions.c.expires_at > now)).first()
        if row is None:
            return None
        user = self.user(row.user_id)
        return None if user.disabled else (user, row.csrf_token)

    def drop_session(self, token_hash: str) -> None:
        """Log out."""
        self.conn.execute(delete(sessions).where(sessions.c.token_hash == token_hash))

    def add_api_token(self, token_hash: str, user_id: int, name: str) -> None:
        """Store the hash of a new API token."""
        self.conn.execute(insert(api_tokens).values(token_hash=token_hash, user_id=user_id,
                                                    name=name, created_at=_now()))

    def api_tokens(self, user_id: int | None = None) -> list[ApiToken]:
        """API tokens (never their values), of one user or all, oldest first."""
        query = select(api_tokens.c.id, api_tokens.c.name, api_tokens.c.created_at,
                       users.c.username).join(users, users.c.id == api_tokens.c.user_id)
        if user_id is not None:
            query = query.where(api_tokens.c.user_id == user_id)
        return [ApiToken(r.id, r.username, r.name, r.created_at)
                for r in self.conn.execute(query.order_by(api_tokens.c.id))]

    def revoke_api_token(self, token_id: int) -> ApiToken:
        """Delete one API token; returns what it was."""
        found = next((t for t in self.api_tokens() if t.id == token_id), None)
        if found is None:
            raise NotFoundError(f"no API token with id {token_id}")
        self.conn.execute(delete(api_tokens).where(api_tokens.c.id == token_id))
        return found

    def user_for_api_token(self, token_hash: str) -> User | None:
        """The enabled user an API token belongs to."""
        user_id = self.conn.execute(select(api_tokens.c.user_id)
                                    .where(api_tokens.c.token_hash == token_hash)).scalar()
        if user_id is None:
            return None
        user = self.user(user_id)
        return None if user.disabled else user

    def audit(self, actor: str, action: str, target: str, details: str = "") -> None:
        """Record a staff action."""
        self.conn.execute(insert(audit_log).values(at=_now(), actor=actor, action=action,
                                                   target=target[:200], details=details))

    def audit_entries(self, limit: int, offset: int, *, actor: str = "", action: str = "",
                      since: datetime | None = None,
                      until: datetime | None = None) -> list[AuditEntry]:
        """The latest staff actions first, narrowed to a person, a kind of action (its code's
        first part, ``login`` or ``incident``) and a time span."""
        query = select(audit_log)
        if actor:
            query = query.where(audit_log.c.actor == actor)
        if action:
            query = query.where(or_(audit_log.c.action == action,
                                    audit_log.c.action.like(f"{action}.%")))
        if since is not None:
            query = query.where(audit_log.c.at >= since)
        if until is not None:
            query = query.where(audit_log.c.at < until)
        rows = self.conn.execute(query.order_by(audit_log.c.id.desc()).limit(limit)
                                 .offset(offset))
        return [AuditEntry(r.id, r.at, r.actor, r.action, r.target, r.details) for r in rows]

    def audit_actors(self) -> list[str]:
        """Everyone the audit log names."""
        return sorted(self.conn.execute(select(audit_log.c.actor).distinct()).scalars())


def _by_platform(keys: Iterable[Key]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = defaultdict(list)
    for platform, external_id in dict.fromkeys(keys):
        grouped[platform].append(external_id)
    return grouped


def _flags(text: str) -> tuple[str, ...]:
    return tuple(f for f in text.split(",") if f)


def _channel(row: Row[Any]) -> Channel:
    return Channel(row.id, row.principal_id, row.platform, row.handle, ChannelKind(row.kind))


def _sender(row: Row[Any], stats: Row[Any] | None) -> Sender:
    return Sender(id=row.id, platform=row.platform, external_id=row.external_id,
                  handle=row.handle, display_name=row.display_name, group_id=row.group_id,
                  risk_level=RiskLevel(row.risk_level), risk_score=row.risk_score,
                  risk_signals=tuple(json.loads(row.risk_signals)), blocked_at=row.blocked_at,
                  message_count=stats.n if stats else 0,
                  first_seen=stats.first if stats else None,
                  last_seen=stats.last if stats else None)


def _identity(row: Row[Any]) -> Identity:
    return Identity(row.id, row.group_id, row.platform, row.external_id, row.handle,
                    row.display_name)


def _finding(row: Row[Any]) -> Finding:
    span = (row.span_start, row.span_end) if row.span_start is not None else None
    return Finding(row.detector, row.version, row.label, row.score, row.why, span, row.cue)


def _user(row: Row[Any]) -> User:
    return User(row.id, row.username, Role(row.role), row.blur_abusive, row.disabled,
                must_change_password=row.password_state == Credential.USED)


def _stored(row: Row[Any], channel: Channel, sender: Sender,
            found: list[Finding]) -> StoredMessage:
    return StoredMessage(
        id=row.id, principal_id=row.principal_id, channel=channel, sender=sender,
        platform=row.platform, external_id=row.external_id, kind=row.kind, subject=row.subject,
        text=row.text, created_at=row.created_at, url=row.url, thread_id=row.thread_id,
        reply_to=row.reply_to, raw_sha256=row.raw_sha256, priority=row.priority,
        review_state=ReviewState(row.review_state), flags=_flags(row.flags),
        findings=tuple(found), private=row.private)


def _message_row(record: ImportRecord, m: AnalysedMessage, sender_id: int, group_id: int,
                 level: str) -> dict[str, Any]:
    d = m.draft
    return {
        "principal_id": record.principal_id, "channel_id": record.channel_id,
        "sender_id": sender_id, "import_id": record.id, "platform": d.platform,
        "external_id": d.external_id[:300], "kind": d.kind, "private": d.private,
        "subject": d.subject, "text": d.text, "created_at": d.created_at,
        "thread_id": d.thread_id[:300], "reply_to": d.reply_to[:300], "url": d.url[:1000],
        "raw": d.raw, "raw_sha256": hashlib.sha256(d.raw).hexdigest(),
        "flags": ",".join(m.flags), "cues": ",".join(m.cues), "priority": m.priority,
        "analysis_signature": m.signature, "review_state": ReviewState.NEW.value,
        "staged": record.staged, "near_key": near_key(d.text),
        "group_id": None if record.bulk else group_id,
        "rank": m.priority + _bonus(level), "flagged": bool(m.flags),
    }

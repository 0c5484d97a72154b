"""Triage: import exports through the pipeline, analyse, the worst-first queue, messages,
senders and review.

Every method that acts on behalf of a person takes that person (``actor``) and checks their role.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePath
from typing import Any, BinaryIO

from civicshield.cluster import InProcess, OnCluster
from civicshield.domain import pipeline
from civicshield.domain.access import (
    require,
    require_text_search,
    sees_private_details,
    visible_to,
)
from civicshield.domain.detection import DetectionInput, DetectorRegistry, verdict
from civicshield.domain.echo import BlockedPattern
from civicshield.domain.errors import ConfigError, InvalidInputError
from civicshield.domain.escalation import assess
from civicshield.domain.forms import (
    FormMapping,
    guess_mapping,
    headers_key,
    parse_mapping,
    recognise,
)
from civicshield.domain.models import (
    ChannelKind,
    MessageDraft,
    QueueRow,
    ReviewBatch,
    ReviewState,
    Role,
    Sender,
    SenderMerge,
    SenderRef,
    StoredMessage,
    User,
)
from civicshield.domain.ports import Importer, ImportRecord, ImportSource, QueueFilter
from civicshield.domain.profile import ProtectedProfile
from civicshield.domain.similarity import Match, suggest_matches
from civicshield.services.context import ServiceContext, resolve_principal
from civicshield.services.uploads import HeldUpload, UploadHold
from civicshield.storage.locks import import_lock
from civicshield.storage.repository import SqlRepository

log = logging.getLogger("civicshield")


@dataclass(frozen=True)
class ImportResult:
    """What an import did."""

    fmt: str
    added: int
    skipped: int
    import_id: int
    #: Malformed records set aside (only with skip_bad), one plain line each.
    bad: tuple[str, ...] = ()


#: A sender's timeline shows this many messages a page.
SENDER_PAGE = 50
#: A bulk import writes this many pipeline batches per transaction.
BULK_BATCHES = 10
#: Counting the messages a queue view holds stops past this (a page says "more than 10,000");
#: a search's matches are counted one by one, so only up to SEARCH_COUNT_CAP.
COUNT_CAP = 10_000
SEARCH_COUNT_CAP = 1_000


def count_cap(flt: QueueFilter) -> int:
    """How far a view's messages are counted (every view alike, a label has its own index;
    a search less far)."""
    return COUNT_CAP if flt.search is None else SEARCH_COUNT_CAP
#: A queue position: (rank, created_at, id) of the last row of a page.
Cursor = tuple[float, datetime, int]


def cursor_text(cursor: Cursor) -> str:
    """A queue position as it travels in a link."""
    rank, at, mid = cursor
    return f"{rank!r}~{at.astimezone(UTC).isoformat()}~{mid}"


def parse_cursor(text: str) -> Cursor | None:
    """A queue position from a link; a damaged one is refused in words."""
    if not text:
        return None
    try:
        rank, at, mid = text.split("~")
        return float(rank), datetime.fromisoformat(at), int(mid)
    except ValueError as exc:
        raise InvalidInputError("that page link is damaged; start from the first page") from exc


@dataclass(frozen=True)
class QueuePage:
    """A page of the grouped queue: its rows, how many messages match (``cap + 1`` means more
    than ``cap``), and where the next page starts (None on the last)."""

    rows: list[QueueRow]
    total: int
    next: Cursor | None
    cap: int = COUNT_CAP


@dataclass(frozen=True)
class UploadPlan:
    """What an uploaded file is and what its import needs: a format, or for a table that is
    not in the generic schema, a column mapping (guessed, or the one saved for its form)."""

    upload: HeldUpload
    fmt: str = ""
    headers: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    product: str = ""
    mapping: FormMapping | None = None
    saved_as: str = ""

    @property
    def needs_mapping(self) -> bool:
        """True for a form export: its columns must be mapped (or a saved mapping confirmed)."""
        return self.fmt == "form"


@dataclass(frozen=True)
class SenderView:
    """A sender page: the identity, the identities merged with it, and their timeline."""

    sender: Sender
    group: list[Sender]
    timeline: list[StoredMessage]
    #: Older messages follow the timeline's last.
    more: bool = False


def _as_seen(repo: SqlRepository, viewer: User | None,
             messages: list[StoredMessage]) -> list[StoredMessage]:
    """Messages as ``viewer`` may see them. List rows carry flags but not findings; for a person
    who sees redacted text, the doxxing-flagged ones are read whole so their spans are known."""
    if not sees_private_details(viewer):
        messages = [repo.message(m.id) if "doxxing" in m.flags else m for m in messages]
    return [visible_to(viewer, m) for m in messages]


class Triage:
    """Messages in, findings and sender risk out, and the people who review them."""

    def __init__(self, context: ServiceContext) -> None:
        self.context = context

    # ---- import and analysis -----------------------------------------------------------
    def detect_format(self, path: Path) -> Importer:
        """The importer whose format the file looks like."""
        head = b"" if path.is_dir() else path.open("rb").read(4096)
        for importer in self.context.importers.values():
            if importer.sniff(path, head):
                return importer
        raise InvalidInputError(f"{path.name}: cannot tell the format; name it with --format "
                                f"({', '.join(sorted(self.context.importers))})")

    def import_file(self, actor: User, path: Path, *, principal: str | None = None,
                    fmt: str | None = None, account: str = "",
                    kind: ChannelKind = ChannelKind.OFFICIAL,
                    display_name: str | None = None, skip_bad: bool = False,
                    on_wait: Callable[[], None] = lambda: None,
                    mapping: FormMapping | None = None,
                    progress: Callable[[int], None] | None = None,
                    bulk: bool = False) -> ImportResult:
        """Import one file through the pipeline, all or nothing.

        The messages are written in short transactions (one per batch), hidden until the whole
        file has been read, then shown at once; if anything fails, what was written is removed,
        so a failed file leaves the store as it was and the store stays usable meanwhile. One
        import runs at a time in a workspace: another waits its turn (``on_wait`` is told).
        A malformed record raises ImportFailure, unless ``skip_bad``: then it is set aside,
        named in the result, and the rest is stored. Importing the same file again adds
        nothing. A form export is read through its column ``mapping``; ``progress`` is told
        how many records have been read after each batch. ``bulk`` (a large archive): the
        messages are stored in larger batches without being judged; the next re-analysis
        (``analyse``) judges them and reassesses their senders.
        """
        require(actor, Role.ANALYST)
        name = display_name or path.name
        if not path.exists():
            raise InvalidInputError(f"{name}: no such file or folder")
        if mapping is not None:
            fmt = "form"
        importer = self.context.importers.get(fmt) if fmt else self.detect_format(path)
        if importer is None:
            raise InvalidInputError(f"unknown format {fmt!r}; choose one of "
                                    f"{', '.join(sorted(self.context.importers))}")
        source = ImportSource(path=path, name=name, account=account, skip_bad=skip_bad,
                              mapping=mapping, zone=self.context.settings.zone)
        with import_lock(self.context.engine, self.context.settings.data_dir, on_wait):
            self._discard_stale()
            with self.context.transaction(write=True) as repo:
                target = resolve_principal(repo, principal)
                channel = repo.ensure_channel(target.id, importer.platform, account or
                                              f"{importer.platform} (imported)", kind)
                record = repo.start_import(target.id, channel.id, importer.fmt, name,
                                           _file_sha256(path), actor.username, staged=True,
                                           bulk=bulk)
            try:
                added, skipped = self._stage(importer, source, record, target.id, progress,
                                             bulk=bulk)
                with self.context.transaction(write=True) as repo:
                    repo.publish_import(record.id, added, skipped, bulk=bulk)
                    repo.audit(actor.username, "import.completed", f"import:{record.id}",
                               json.dumps({"format": importer.fmt, "file": name,
                                           "added": added, "skipped": skipped,
                                           "malformed": len(source.bad), "bulk": bulk}))
            except BaseException:
                self._discard(record.id)
                raise
            if bulk:
                with self.context.transaction(write=True) as repo:
                    if not repo.merge_search_index():
                        log.warning("import %s: the search index was not merged; searches "
                                    "still work, more slowly", importer.fmt)
        log.info("import %s: %d added, %d already stored, %d malformed set aside",
                 importer.fmt, added, skipped, len(source.bad))
        return ImportResult(importer.fmt, added, skipped, record.id, tuple(source.bad))

    # ---- imports from the dashboard ------------------------------------------------------
    @property
    def _hold(self) -> UploadHold:
        return UploadHold(self.context.settings.data_dir, self.context.cipher)

    def hold_upload(self, actor: User, name: str, stream: BinaryIO) -> HeldUpload:
        """Keep an uploaded file (encrypted) until its import runs."""
        require(actor, Role.ANALYST)
        return self._hold.put(name, stream, actor.username)

    def drop_upload(self, actor: User, token: str) -> None:
        """Forget a held file."""
        require(actor, Role.ANALYST)
        self._hold.drop(token)

    def plan_upload(self, actor: User, token: str) -> UploadPlan:
        """What a held file is: its format as the command line would guess it, and for a table
        not in the generic schema its headers, first rows and the mapping to start from."""
        from civicshield.connectors.forms.connector import TABLES, table_head
        from civicshield.connectors.generic import OPTIONAL, REQUIRED

        require(actor, Role.ANALYST)
        held = self._hold.get(token)
        with self._hold.opened(token) as path:
            is_table = path.suffix.lower() in TABLES
            if not is_table:
                return UploadPlan(held, self.detect_format(path).fmt)
            headers, rows = table_head(path, held.name)
        if path.suffix.lower() == ".csv" and set(REQUIRED) <= set(headers) and \
                set(headers) <= set(REQUIRED + OPTIONAL):
            return UploadPlan(held, "csv", tuple(headers))
        with self.context.transaction() as repo:
            saved = repo.import_mapping(headers_key(headers))
        mapping = FormMapping.from_dict(saved[1]) if saved else guess_mapping(headers)
        return UploadPlan(held, "form", tuple(headers), tuple(tuple(r) for r in rows),
                          recognise(headers), mapping, saved[0] if saved else "")

    def import_upload(self, actor: User, token: str, *, mapping: FormMapping | None = None,
                      remember_as: str = "", principal: str | None = None, account: str = "",
                      kind: ChannelKind = ChannelKind.OFFICIAL, skip_bad: bool = False,
                      progress: Callable[[int], None] | None = None) -> ImportResult:
        """Import a held file (through ``mapping`` for a form export, remembered under
        ``remember_as`` for the next export of the same form), then forget it. A failed
        import keeps the file so it can be tried again."""
        from civicshield.connectors.forms.connector import table_head

        require(actor, Role.ANALYST)
        held = self._hold.get(token)
        with self._hold.opened(token) as path:
            if mapping is not None:
                headers, _ = table_head(path, held.name, rows=0)
                problems = mapping.problems(headers)
                if problems:
                    raise InvalidInputError(f"{held.name}: " + "; ".join(problems))
                if remember_as.strip():
                    with self.context.transaction(write=True) as repo:
                        repo.save_import_mapping(headers_key(headers), remember_as.strip(),
                                                 mapping.as_dict(), actor.username)
            result = self.import_file(actor, path, principal=principal, account=account,
                                      kind=kind, display_name=held.name, skip_bad=skip_bad,
                                      mapping=mapping, progress=progress)
        self._hold.drop(token)
        return result

    def form_mapping(self, path: Path, spec: str) -> FormMapping:
        """The mapping for a form export named on the command line: ``saved`` (the one saved
        for its form on the dashboard), ``guess``, or written out (domain.forms.parse_mapping)."""
        from civicshield.connectors.forms.connector import table_head

        headers, _ = table_head(path, path.name, rows=0)
        if spec == "saved":
            with self.context.transaction() as repo:
                saved = repo.import_mapping(headers_key(headers))
            if saved is None:
                raise InvalidInputError(f"{path.name}: no columns are saved for this form yet; "
                                        "match them once on the dashboard's Import page, or "
                                        "write them out with --map")
            return FormMapping.from_dict(saved[1])
        try:
            mapping = guess_mapping(headers) if spec == "guess" else parse_mapping(spec)
        except ValueError as exc:
            raise InvalidInputError(f"--map {exc}") from exc
        problems = mapping.problems(headers)
        if problems:
            raise InvalidInputError(f"{path.name}: " + "; ".join(problems))
        return mapping

    def estimate_records(self, actor: User, token: str) -> int | None:
        """About how many records a held CSV or JSON-lines file has (its line count), for a
        progress bar; None for other formats."""
        require(actor, Role.ANALYST)
        held = self._hold.get(token)
        if PurePath(held.name).suffix.lower() not in {".csv", ".jsonl", ".ndjson"}:
            return None
        with self._hold.opened(token) as path, path.open("rb") as handle:
            return max(1, sum(block.count(b"\n") for block in iter(
                lambda: handle.read(1 << 20), b"")) - 1)

    def _stage(self, importer: Importer, source: ImportSource, record: ImportRecord,
               principal_id: int, progress: Callable[[int], None] | None, *,
               bulk: bool = False) -> tuple[int, int]:
        """Read the file and write it, hidden, one batch per transaction."""
        added = skipped = 0
        with self.context.transaction() as repo:
            profile, blocked = repo.profile(principal_id), tuple(repo.blocked_patterns())
        size = self.context.settings.import_batch_size
        if bulk:
            for chunk in _chunks(importer.read(source), size * BULK_BATCHES):
                with self.context.transaction(write=True) as repo:
                    done = pipeline.run(pipeline.Batch(drafts=tuple(chunk)), self._pipeline(
                        repo, record, profile, blocked), steps=pipeline.BULK)
                added, skipped = added + done.stored, skipped + done.skipped
                if progress is not None:
                    progress(added + skipped + len(source.bad))
            return added, skipped
        for chunk in _chunks(importer.read(source), size):
            # read and judge holding no lock (the detectors are the slow part) ...
            with self.context.transaction(write=False) as repo:
                judged = pipeline.run(pipeline.Batch(drafts=tuple(chunk)), self._pipeline(
                    repo, record, profile, blocked), steps=pipeline.JUDGE)
            # ... then take the write lock only to reassess senders and store
            with self.context.transaction(write=True) as repo:
                done = pipeline.run(judged, self._pipeline(repo, record, profile, blocked),
                                    steps=pipeline.KEEP)
            added, skipped = added + done.stored, skipped + done.skipped
            if progress is not None:
                progress(added + skipped + len(source.bad))
        return added, skipped

    def _pipeline(self, repo: SqlRepository, record: ImportRecord,
                  profile: ProtectedProfile | None,
                  blocked: tuple[BlockedPattern, ...]) -> pipeline.PipelineContext:
        return pipeline.PipelineContext(repo=repo, registry=self.context.registry,
                                        record=record, profile=profile,
                                        weights=self.context.weights, blocked=blocked)

    def _discard(self, import_id: int) -> None:
        """Remove a failed import's hidden messages and reassess the senders it touched."""
        with self.context.transaction(write=True) as repo:
            for group in repo.discard_import(import_id):
                repo.set_group_risk(group, assess(repo.group_summaries(group),
                                                  self.context.weights))

    def _discard_stale(self) -> None:
        """Remove what an import stopped half way (a killed process) had written."""
        with self.context.transaction() as repo:
            stale = repo.stale_imports()
        for import_id in stale:
            log.warning("removing the unfinished import %d a stopped process left", import_id)
            self._discard(import_id)

    def analyse(self, actor: User, *, redo_all: bool = False, batch_size: int = 500,
                cluster: str | None = None,
                progress: Callable[[int, int], None] | None = None) -> int:
        """Re-run detectors on stored messages whose analysis is missing or out of date (every
        message with ``redo_all``), in this process or, with ``cluster`` (a Dask scheduler's
        address), on the cluster's workers; ``progress`` is told (done, total) after each
        batch. Results are written batch by batch in id order, each batch once."""
        require(actor, Role.ANALYST)
        signature = self.context.registry.signature
        with self.context.transaction() as repo:
            total = repo.count_to_analyse(signature, include_current=redo_all)
        runner: InProcess | OnCluster
        if cluster:
            factory = self.context.registry_factory
            if factory is None:
                raise ConfigError("this workspace cannot hand its detectors to a cluster")
            runner = OnCluster(cluster, factory, signature)
        else:
            runner = InProcess(self.context.registry)
        done, groups = 0, set()
        try:
            for batch, analysed in runner.run(self._analysis_batches(
                    signature, batch_size, redo_all=redo_all)):
                with self.context.transaction(write=True) as repo:
                    repo.replace_findings(list(zip(batch.message_ids, analysed, strict=True)),
                                          signature)
                    groups.update(repo.sender_groups_of(batch.message_ids))
                done += len(batch.message_ids)
                if progress is not None:
                    progress(done, total)
        finally:
            runner.close()
        with self.context.transaction(write=True) as repo:
            for group in groups:
                repo.set_group_risk(group, assess(repo.group_summaries(group),
                                                  self.context.weights))
            repo.audit(actor.username, "analysis.completed", "messages",
                       json.dumps({"messages": done, "detectors": signature,
                                   "where": "cluster" if cluster else "this machine"}))
        return done

    def _analysis_batches(self, signature: str, batch_size: int, *,
                          redo_all: bool) -> Iterator[pipeline.AnalysisBatch]:
        """The messages to analyse, by id, a batch per protected person at a time; each read
        in its own short transaction (no lock is held while workers run)."""
        after, index = 0, 0
        with self.context.transaction() as repo:
            profiles = {p.id: repo.profile(p.id) for p in repo.principals()}
        while True:
            with self.context.transaction() as repo:
                stored = repo.messages_to_analyse(signature, after, batch_size,
                                                  include_current=redo_all)
            if not stored:
                return
            for principal_id, profile in profiles.items():
                mine = [m for m in stored if m.principal_id == principal_id]
                if mine:
                    yield pipeline.AnalysisBatch(index, tuple(m.id for m in mine),
                                                 tuple(_as_draft(m) for m in mine), profile)
                    index += 1
            after = stored[-1].id

    # ---- the queue and messages --------------------------------------------------------
    def queue(self, flt: QueueFilter, *, limit: int = 50, offset: int = 0,
              after: Cursor | None = None, viewer: User | None = None,
              cap: int | None = None) -> tuple[list[StoredMessage], int]:
        """A page of the queue, worst first (from ``after`` on, or skipping ``offset``), and
        how many match (counted up to ``cap``), as ``viewer`` may see it
        (domain.access.visible_to; None is the command line)."""
        if flt.search is not None:
            require_text_search(viewer)
        with self.context.transaction() as repo:
            return (_as_seen(repo, viewer, repo.queue(flt, limit, offset, after=after)),
                    repo.queue_count(flt, cap=cap))

    def message(self, message_id: int, *, viewer: User | None = None) -> StoredMessage:
        """One message with its findings, as ``viewer`` may see it."""
        with self.context.transaction() as repo:
            return visible_to(viewer, repo.message(message_id))

    def versions(self, message_id: int) -> list[tuple[int, datetime, bool]]:
        """Every version of an edited record (id, time, superseded), oldest first; one entry
        for a record never edited."""
        with self.context.transaction() as repo:
            return repo.versions(message_id)

    def raw_payload(self, actor: User, message_id: int) -> bytes:
        """The original record byte for byte (analysts and admins); the access is audit-logged."""
        require(actor, Role.ANALYST)
        with self.context.transaction(write=True) as repo:
            raw = repo.raw_payload(message_id)
            repo.audit(actor.username, "message.raw_downloaded", f"message:{message_id}")
        return raw

    def original_file_name(self, message_id: int) -> str:
        """A name for a message's original when it is downloaded: an email as ``.eml``, a CSV
        row as ``.csv``, anything else (JSON records, form rows) as ``.json``."""
        with self.context.transaction() as repo:
            fmt, platform = repo.import_format(message_id), repo.message(message_id).platform
        suffix = {"mbox": ".eml", "eml": ".eml", "live-imap": ".eml", "csv": ".csv"}.get(fmt,
                                                                                  ".json")
        return f"{platform}-message-{message_id}{suffix}"

    def count(self, flt: QueueFilter, *, cap: int | None = None,
              viewer: User | None = None) -> int:
        """How many messages match (with ``cap``: ``cap + 1`` means more than ``cap``)."""
        if flt.search is not None:
            require_text_search(viewer)
        with self.context.transaction() as repo:
            return repo.queue_count(flt, cap=cap)

    def count_unjudged(self) -> int:
        """How many messages wait for their first analysis (a bulk import's), counted up to
        COUNT_CAP (``COUNT_CAP + 1``: more)."""
        with self.context.transaction() as repo:
            return repo.count_unjudged(COUNT_CAP)

    def queue_rows(self, flt: QueueFilter, *, limit: int = 50, after: Cursor | None = None,
                   viewer: User | None = None) -> QueuePage:
        """A page of the queue with one sender's near-identical messages as one row, worst
        first, from ``after`` on; how many messages match (counted up to COUNT_CAP)."""
        if flt.search is not None:
            require_text_search(viewer)
        with self.context.transaction() as repo:
            rows = repo.queue_rows(flt, limit + 1, after=after)
            more, rows = len(rows) > limit, rows[:limit]
            seen = _as_seen(repo, viewer, [r.message for r in rows])
            last = rows[-1].message if rows else None
            return QueuePage([QueueRow(m, r.count, r.member_ids)
                              for m, r in zip(seen, rows, strict=True)],
                             repo.queue_count(flt, cap=count_cap(flt)),
                             (last.rank, last.created_at, last.id) if more and last else None,
                             count_cap(flt))

    def set_state(self, actor: User, message_ids: Sequence[int],
                  state: ReviewState) -> ReviewBatch:
        """Mark messages reviewed, dismissed or escalated (analysts and admins); the batch
        can be undone (``undo_review``)."""
        require(actor, Role.ANALYST)
        if not message_ids:
            raise InvalidInputError("select at least one message")
        with self.context.transaction(write=True) as repo:
            done = repo.set_review_state(message_ids, state, actor.username)
            repo.audit(actor.username, f"message.{state.value}",
                       "messages:" + ",".join(map(str, message_ids[:20])),
                       json.dumps({"count": done.count, "change": done.batch}))
        return done

    def undo_review(self, actor: User, batch: str) -> int:
        """Put the messages of a review action back as they were (those nobody changed since);
        returns how many went back."""
        require(actor, Role.ANALYST)
        with self.context.transaction(write=True) as repo:
            done = repo.review_batch(batch)
            if done.undone:
                raise InvalidInputError("that change was undone already")
            restored = repo.undo_review(batch)
            repo.audit(actor.username, "message.review_undone",
                       "messages:" + ",".join(map(str, done.message_ids[:20])),
                       json.dumps({"count": restored, "change": batch,
                                   "was": done.state.value}))
        return restored

    def review_batch(self, batch: str) -> ReviewBatch:
        """One review action (for the toast that offers to undo it)."""
        with self.context.transaction() as repo:
            return repo.review_batch(batch)

    def recent_changes(self, *, limit: int = 50, actor: str = "") -> list[ReviewBatch]:
        """The latest review actions, newest first."""
        with self.context.transaction() as repo:
            return repo.recent_review_batches(limit, actor)

    # ---- senders -----------------------------------------------------------------------
    def sender_view(self, sender_id: int, *, limit: int = SENDER_PAGE,
                    viewer: User | None = None,
                    before: tuple[datetime, int] | None = None) -> SenderView:
        """A sender, the identities merged with them, and their timeline across channels
        (``limit`` messages, older than ``before`` when given), as ``viewer`` may see it."""
        with self.context.transaction() as repo:
            group = repo.sender_group(repo.sender(sender_id, with_stats=False).group_id)
            sender = next(s for s in group if s.id == sender_id)
            timeline = repo.sender_timeline(sender.group_id, limit + 1, before)
            return SenderView(sender, group,
                              _as_seen(repo, viewer, timeline[:limit]),
                              more=len(timeline) > limit)

    def merge_senders(self, actor: User, keep_sender_id: int,
                      merge_sender_id: int) -> SenderMerge:
        """Record that two platform identities are one person, and reassess their risk; the
        merge can be undone (``undo_merge``)."""
        require(actor, Role.ANALYST)
        with self.context.transaction(write=True) as repo:
            keep, other = repo.sender(keep_sender_id), repo.sender(merge_sender_id)
            merge = repo.merge_senders(keep.group_id, other.group_id, actor.username)
            repo.set_group_risk(keep.group_id, assess(repo.group_summaries(keep.group_id),
                                                      self.context.weights))
            repo.audit(actor.username, "sender.merged", f"sender:{keep.id}",
                       json.dumps({"merged": other.id, "merge": merge.id}))
        return merge

    def undo_merge(self, actor: User, merge_id: int) -> SenderMerge:
        """Separate the identities a merge joined, and reassess both."""
        require(actor, Role.ANALYST)
        with self.context.transaction(write=True) as repo:
            merge = repo.undo_merge(merge_id, actor.username)
            for group in (merge.keep_group_id, merge.merged_group_id):
                repo.set_group_risk(group, assess(repo.group_summaries(group),
                                                  self.context.weights))
            repo.audit(actor.username, "sender.unmerged", f"sender:{merge.sender_ids[0]}",
                       json.dumps({"merge": merge.id}))
        return merge

    def sender_merge(self, merge_id: int) -> SenderMerge:
        """One recorded merge."""
        with self.context.transaction() as repo:
            return repo.sender_merge(merge_id)

    def search_senders(self, query: str, *, limit: int = 30) -> list[Sender]:
        """Senders by name, handle, email or platform id, or number, riskiest first."""
        with self.context.transaction() as repo:
            return repo.search_senders(query, limit)

    def suggested_matches(self, sender_id: int) -> list[tuple[Sender, Match]]:
        """Other senders who may be the same person as this one, each with why."""
        with self.context.transaction() as repo:
            sender = repo.sender(sender_id, with_stats=False)
            mine, texts, others, other_texts = repo.match_candidates(sender.group_id)
            found = suggest_matches(mine, texts, others, other_texts)
            return [(repo.sender(m.sender_id), m) for m in found]

    def block_sender(self, actor: User, sender_id: int, *, blocked: bool) -> None:
        """Record that staff blocked (or unblocked) a sender on the platform.

        New accounts whose abusive messages repeat a blocked sender's wording get a risk signal.
        """
        require(actor, Role.ANALYST)
        with self.context.transaction(write=True) as repo:
            sender = repo.sender(sender_id)
            repo.set_blocked(sender.group_id, self.context.clock() if blocked else None)
            repo.audit(actor.username, "sender.blocked" if blocked else "sender.unblocked",
                       f"sender:{sender.id}", "{}")


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

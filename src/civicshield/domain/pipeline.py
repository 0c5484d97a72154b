"""Ingestion as an ordered pipeline of small steps over batches of messages.

``STEPS`` is the one place the order is listed: preflight, dedupe, detect, escalate, store.
Each step takes a batch and a context and returns a new batch. Only ``dedupe``, ``escalate``
(reading history) and ``store`` touch the repository; ``preflight`` and ``detect`` are pure and
can run on any worker.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC

from civicshield.domain.detection import (
    DetectionInput,
    DetectorRegistry,
    is_abusive,
    priority,
    verdict,
)
from civicshield.domain.echo import BlockedPattern, echoed
from civicshield.domain.escalation import (
    DEFAULT_WEIGHTS,
    MessageSummary,
    RiskAssessment,
    Weights,
    assess,
)
from civicshield.domain.models import Finding, MessageDraft
from civicshield.domain.ports import AnalysedMessage, ImportRecord, Repository
from civicshield.domain.profile import ProtectedProfile

#: Longest text kept for one message; longer texts are cut and the cut is noted.
MAX_TEXT_CHARS = 50_000

Key = tuple[str, str]


@dataclass(frozen=True)
class PipelineContext:
    """What the steps may use: storage, detectors, the import, and the principal's profile."""

    repo: Repository
    registry: DetectorRegistry
    record: ImportRecord
    profile: ProtectedProfile | None = None
    weights: Weights = field(default_factory=lambda: DEFAULT_WEIGHTS)
    blocked: tuple[BlockedPattern, ...] = ()


@dataclass(frozen=True)
class Batch:
    """Messages moving through the pipeline and what has been learnt about them."""

    drafts: tuple[MessageDraft, ...]
    analysed: tuple[AnalysedMessage, ...] = ()
    risks: dict[Key, RiskAssessment] = field(default_factory=dict)
    skipped: int = 0
    stored: int = 0
    #: Edited records: the key a new version is stored under -> the key of its first version.
    edits: dict[Key, Key] = field(default_factory=dict)


Step = Callable[[Batch, PipelineContext], Batch]


def clean_text(text: str) -> str:
    """Drop NUL and other control characters that no platform shows; keep everything else."""
    if text.isprintable():
        return text[:MAX_TEXT_CHARS]
    kept = "".join(c for c in text if c in "\n\t" or unicodedata.category(c) != "Cc")
    return kept[:MAX_TEXT_CHARS]


#: Bidirectional controls: in a name they reverse what follows ("moc.elpmaxe@" shown as an
#: address), so they are removed from names and handles (message text keeps them, as written).
BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                          "\u2066\u2067\u2068\u2069")


def clean_name(name: str) -> str:
    """A sender's name or handle without control characters or bidirectional controls."""
    kept = "".join(c for c in name if c not in BIDI_CONTROLS
                   and unicodedata.category(c) not in ("Cc", "Zl", "Zp"))
    return kept.strip()[:300]


def preflight(batch: Batch, ctx: PipelineContext) -> Batch:
    """Normalise times to UTC, text to what can be stored and shown, and names to what can be
    shown without reordering what follows them."""
    drafts = tuple(
        replace(d, text=clean_text(d.text), subject=clean_name(clean_text(d.subject))[:500],
                sender=replace(d.sender, handle=clean_name(d.sender.handle),
                               display_name=clean_name(d.sender.display_name)),
                created_at=d.created_at.astimezone(UTC) if d.created_at.tzinfo
                else d.created_at.replace(tzinfo=UTC))
        for d in batch.drafts
    )
    return replace(batch, drafts=drafts)


def dedupe(batch: Batch, ctx: PipelineContext) -> Batch:
    """Drop messages already stored for this principal or repeated within the batch, unless
    their text changed: an edited record (the same id, other words) is kept as a new version of
    the first, stored as ``ID#edit2``, ``ID#edit3`` ... (an edited post is evidence too)."""
    latest = ctx.repo.latest_versions(ctx.record.principal_id, [d.key for d in batch.drafts])
    fresh, edits = [], dict(batch.edits)
    for draft in batch.drafts:
        known = latest.get(draft.key)
        if known is not None and (known[0], known[1]) == (draft.subject, draft.text):
            continue
        if known is None:
            latest[draft.key] = (draft.subject, draft.text, 1)
            fresh.append(draft)
            continue
        version = known[2] + 1
        edited = replace(draft, external_id=f"{draft.external_id}#edit{version}"[:300])
        latest[draft.key] = (draft.subject, draft.text, version)
        edits[edited.key] = draft.key
        fresh.append(edited)
    dropped = len(batch.drafts) - len(fresh)
    return replace(batch, drafts=tuple(fresh), skipped=batch.skipped + dropped, edits=edits)


def analyse(registry: DetectorRegistry, drafts: Sequence[MessageDraft],
            profile: ProtectedProfile | None) -> tuple[AnalysedMessage, ...]:
    """Run the detectors over drafts and attach findings, flags and priority (pure)."""
    inputs = [DetectionInput(text=f"{d.subject}\n{d.text}" if d.subject else d.text,
                             profile=profile) for d in drafts]
    out = []
    for draft, findings in zip(drafts, registry.detect(inputs), strict=True):
        if draft.subject:  # spans were found in "subject\ntext"; keep only those in the body
            shift = len(draft.subject) + 1
            findings = [replace(f, span=(f.span[0] - shift, f.span[1] - shift))
                        if f.span and f.span[0] >= shift else replace(f, span=None)
                        for f in findings]
        judged = verdict(findings)
        out.append(AnalysedMessage(draft=draft, findings=judged.findings, flags=judged.flags,
                                   priority=priority(judged.scores),
                                   signature=registry.signature, cues=judged.cues))
    return tuple(out)


@dataclass(frozen=True)
class AnalysisBatch:
    """Stored messages of one protected person to analyse again, in id order: what a worker
    (in this process or on a cluster) needs, and nothing of the store."""

    index: int
    message_ids: tuple[int, ...]
    drafts: tuple[MessageDraft, ...]
    profile: ProtectedProfile | None = None


def analyse_batch(registry: DetectorRegistry,
                  batch: AnalysisBatch) -> tuple[AnalysedMessage, ...]:
    """One re-analysis batch (pure; the same on every worker)."""
    return analyse(registry, batch.drafts, batch.profile)


def detect(batch: Batch, ctx: PipelineContext) -> Batch:
    """Judge every message with the active detectors."""
    return replace(batch, analysed=analyse(ctx.registry, batch.drafts, ctx.profile))


def summary(message: AnalysedMessage) -> MessageSummary:
    """What escalation needs from an analysed message."""
    d = message.draft
    return MessageSummary(created_at=d.created_at, platform=d.platform, private=d.private,
                          flags=message.flags, priority=message.priority, cues=message.cues)


ECHO_FINDING = Finding("blocked-echo", "1", "harassment", 0.3,
                       "repeats the wording of a sender staff blocked", cue="blocked_echo")


def mark_echoes(analysed: Sequence[AnalysedMessage],
                blocked: Sequence[BlockedPattern]) -> tuple[AnalysedMessage, ...]:
    """Add the blocked_echo cue to abusive messages that repeat a blocked sender's wording."""
    if not blocked:
        return tuple(analysed)
    out = []
    for m in analysed:
        if is_abusive(m.flags) and echoed(m.draft.text, m.draft.sender.key, m.draft.created_at,
                                          blocked):
            m = replace(m, cues=(*m.cues, "blocked_echo"), findings=(*m.findings, ECHO_FINDING))
        out.append(m)
    return tuple(out)


def escalate(batch: Batch, ctx: PipelineContext) -> Batch:
    """Reassess each sender in the batch from their stored history plus the new messages."""
    analysed = mark_echoes(batch.analysed, ctx.blocked)
    keys = list(dict.fromkeys(m.draft.sender.key for m in analysed))
    histories = ctx.repo.sender_histories(keys)
    for message in analysed:
        histories.setdefault(message.draft.sender.key, []).append(summary(message))
    return replace(batch, analysed=analysed,
                   risks={key: assess(histories[key], ctx.weights) for key in keys})


def store(batch: Batch, ctx: PipelineContext) -> Batch:
    """Write messages, findings and sender risk in the current transaction, and link each
    edited record's new version to its first."""
    stored = ctx.repo.store_messages(ctx.record, batch.analysed, batch.risks)
    pairs = [(m.draft.key, batch.edits[m.draft.key]) for m in batch.analysed
             if m.draft.key in batch.edits]
    if pairs:
        ctx.repo.link_versions(ctx.record.principal_id, pairs)
    return replace(batch, stored=batch.stored + stored)


def defer(batch: Batch, ctx: PipelineContext) -> Batch:
    """Keep every message unjudged for now (a bulk import): no findings, no priority, and no
    detector signature, so that the next re-analysis judges it and reassesses its sender."""
    return replace(batch, analysed=tuple(AnalysedMessage(draft=d, findings=(), flags=(),
                                                         priority=0.0, signature="")
                                         for d in batch.drafts))


STEPS: tuple[Step, ...] = (preflight, dedupe, detect, escalate, store)
#: The steps that only read (run without the write lock), and those that write.
JUDGE: tuple[Step, ...] = (preflight, dedupe, detect)
KEEP: tuple[Step, ...] = (escalate, store)
#: A bulk import: stored now, judged by the next re-analysis (``civicshield analyze``).
BULK: tuple[Step, ...] = (preflight, dedupe, defer, store)


def run(batch: Batch, ctx: PipelineContext, steps: Sequence[Step] = STEPS) -> Batch:
    """Pass a batch through the steps in order."""
    for step in steps:
        batch = step(batch, ctx)
    return batch

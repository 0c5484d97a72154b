"""A large store written straight into the tables (not through the detectors), for tests and
benchmarks of the queue at scale: principals, a channel, senders in groups of one to three,
and messages with findings, flags, priorities and ranks as the import path stores them."""

from __future__ import annotations

import hashlib
import random
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, insert, text

from civicshield.domain.models import RISK_RANK_BONUS, RiskLevel
from civicshield.domain.similarity import Identity, identity_keys, near_key
from civicshield.storage import search, tables

LABELS = ("threat", "harassment", "insult", "doxxing", "spam", "sexual_harassment",
          "identity_attack")
START = datetime(2024, 1, 1, tzinfo=UTC)
TOPICS = ("budget", "roads", "parks", "library", "buses", "schools", "water", "taxes", "police",
          "fire station", "zoning", "housing", "parking", "snow", "trash", "bridge", "pool",
          "festival", "council", "permits", "noise", "trees", "bike lanes", "sidewalks",
          "sewer", "lights", "crosswalk", "museum", "airport", "harbor", "market", "clinic")


def fill(engine: Engine, count: int, *, senders: int = 0, seed: int = 7,
         chunk: int = 20_000) -> dict[str, int]:
    """Write ``count`` messages from ``senders`` senders (count // 20 by default) for the
    workspace's first principal; returns a busy sender group and a channel, for the tests."""
    rng = random.Random(seed)
    people = senders or max(10, count // 20)
    with engine.begin() as conn:
        principal = conn.execute(tables.principals.select().limit(1)).first()
        assert principal is not None, "add a principal first"
        channel = conn.execute(insert(tables.channels).values(
            principal_id=principal.id, platform="other", handle="bulk", kind="official")
            .returning(tables.channels.c.id)).scalar_one()
        record = conn.execute(insert(tables.imports).values(
            principal_id=principal.id, channel_id=channel, format="jsonl", file_name="bulk",
            file_sha256="0" * 64, actor="bulk", started_at=START, finished_at=START,
            added=count, skipped=0).returning(tables.imports.c.id)).scalar_one()
        levels = [RiskLevel.LOW] * 80 + [RiskLevel.ELEVATED] * 12 + [RiskLevel.HIGH] * 6 + \
            [RiskLevel.CRITICAL] * 2
        rows = []
        for n in range(people):
            rows.append({"platform": "other", "external_id": f"bulk-{n}", "handle": f"@b{n}",
                         "display_name": f"Sender {n}", "group_id": None,
                         "risk_level": rng.choice(levels).value, "risk_score": 0.0,
                         "risk_signals": "[]"})
        first = None
        for part in range(0, len(rows), chunk):
            ids = conn.execute(insert(tables.senders).returning(tables.senders.c.id),
                               rows[part:part + chunk]).scalars().all()
            first = ids[0] if first is None else first
        assert first is not None
        conn.execute(tables.senders.update().where(tables.senders.c.group_id.is_(None))
                     .values(group_id=tables.senders.c.id))
        keys = [{"sender_id": first + n, "key": key} for n, r in enumerate(rows)
                for key in sorted(identity_keys(Identity(first + n, first + n, r["platform"],
                                                         r["external_id"], r["handle"],
                                                         r["display_name"])))]
        for part in range(0, len(keys), chunk):
            conn.execute(insert(tables.sender_keys), keys[part:part + chunk])
        level_of = {first + n: RiskLevel(r["risk_level"]) for n, r in enumerate(rows)}
        busy = first  # one sender writes a share of everything
        batch: list[dict[str, object]] = []
        found: list[dict[str, object]] = []
        tagged: list[dict[str, object]] = []
        next_id = (conn.execute(tables.messages.select().with_only_columns(
            tables.messages.c.id).order_by(tables.messages.c.id.desc()).limit(1)).scalar()
            or 0) + 1
        for n in range(count):
            sender = busy if n % 50 == 0 else first + rng.randrange(people)
            roll = rng.random()
            labels = [] if roll < 0.7 else [rng.choice(LABELS)]
            priority = 0.0 if not labels else round(rng.uniform(20, 99), 2)
            text = "About the " + " and the ".join(rng.sample(TOPICS, 3))
            raw = text.encode()
            batch.append({
                "id": next_id + n, "principal_id": principal.id, "channel_id": channel,
                "sender_id": sender, "import_id": record, "platform": "other",
                "external_id": f"bulk-{next_id + n}", "kind": "message", "private": False,
                "subject": "", "text": text,
                "created_at": START + timedelta(minutes=n * 7 % 1_000_000, seconds=n % 60),
                "thread_id": "", "reply_to": "", "url": "", "raw": raw,
                "raw_sha256": hashlib.sha256(raw).hexdigest(), "flags": ",".join(labels),
                "cues": "", "priority": priority, "analysis_signature": "bulk",
                "review_state": rng.choice(("new",) * 7 + ("reviewed", "dismissed",
                                                           "escalated")),
                "near_key": near_key(text), "group_id": sender, "flagged": bool(labels),
                "rank": priority + RISK_RANK_BONUS[level_of[sender]]})
            row = batch[-1]
            for label in labels:
                found.append({"message_id": next_id + n, "detector": "bulk", "version": "1",
                              "label": label, "score": 0.9, "span_start": None,
                              "span_end": None, "why": "bulk", "flagged": True, "cue": ""})
                tagged.append({"message_id": next_id + n, "label": label, "shown": True,
                               "review_state": row["review_state"], "rank": row["rank"],
                               "created_at": row["created_at"]})
            if len(batch) == chunk:
                _write(conn, batch, found, tagged)
                batch, found, tagged = [], [], []
        _write(conn, batch, found, tagged)
    return {"busy_group": busy, "channel": channel}


def _write(conn: Any, batch: list[dict[str, object]], found: list[dict[str, object]],
           tagged: list[dict[str, object]]) -> None:
    for table, rows in ((tables.messages, batch), (tables.findings, found),
                        (tables.message_labels, tagged)):
        if rows:
            conn.execute(insert(table), rows)
    search.list_pending_words(conn)  # as the repository does after it writes messages


def settle(engine: Engine) -> None:
    """What follows a large write in use: on SQLite, the search index merged as a bulk import
    merges it; on PostgreSQL, what autovacuum does by and by: statistics, and the pages
    marked all-visible (the planner prices index-only scans by them). The test server
    commits asynchronously (synchronous_commit=off), and a VACUUM may mark no page before the
    commits are on disk: flush, and vacuum until the pages are marked."""
    if engine.dialect.name == "sqlite":
        with engine.begin() as conn:
            conn.exec_driver_sql(search.SQLITE_MERGE)
        return
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT")
        for _ in range(3):
            conn.execute(text("CHECKPOINT"))
            conn.execute(text("VACUUM ANALYZE"))
            marked, pages = conn.execute(text(
                "SELECT relallvisible, relpages FROM pg_class WHERE relname = 'messages'")).one()
            if marked == pages:
                return
    raise AssertionError(f"VACUUM marked {marked} of {pages} pages of messages all-visible")

"""The queue from an index: each message keeps the number the queue is ordered by
(``rank``: its priority plus its sender's risk bonus), its sender's group (``group_id``) and
whether a detector flagged it (``flagged``), kept current by the repository, and indexed with
the filters people use; ``message_labels`` holds each flagged label with the same columns, so
that a view narrowed to one label is read from an index too.

Revision ID: 0012_queue_index
Revises: 0011_office_work
"""

import sqlalchemy as sa
from alembic import op

from civicshield.domain.models import RISK_RANK_BONUS

revision = "0012_queue_index"
down_revision = "0011_office_work"
branch_labels = None
depends_on = None
#: (name, columns) of the queue's indexes; tables.py declares the same.
INDEXES = (
    ("ix_messages_queue_all", ["rank", "created_at", "id"]),
    ("ix_messages_queue_state", ["review_state", "rank", "created_at", "id"]),
    ("ix_messages_queue_todo", ["flagged", "review_state", "rank", "created_at", "id"]),
    ("ix_messages_queue_group", ["group_id", "rank", "created_at", "id"]),
    ("ix_messages_queue_channel", ["channel_id", "rank", "created_at", "id"]),
    ("ix_messages_group_time", ["group_id", "created_at"]),
    ("ix_messages_repeats", ["group_id", "near_key", "rank"]),
    ("ix_messages_sender_time", ["sender_id", "created_at"]),
)


def upgrade() -> None:
    """Add messages.rank, group_id and flagged, fill them in, and index them."""
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("rank", sa.Float, nullable=False, server_default="0"))
        batch.add_column(sa.Column("group_id", sa.Integer, nullable=True))
        batch.add_column(sa.Column("flagged", sa.Boolean, nullable=False,
                                   server_default=sa.false()))
    message = sa.table("messages", sa.column("rank", sa.Float), sa.column("priority", sa.Float),
                       sa.column("sender_id", sa.Integer), sa.column("group_id", sa.Integer),
                       sa.column("flags", sa.String), sa.column("flagged", sa.Boolean))
    sender = sa.table("senders", sa.column("id", sa.Integer), sa.column("group_id", sa.Integer),
                      sa.column("risk_level", sa.String))
    own = sender.c.id == message.c.sender_id
    bonus = sa.case(*[(sender.c.risk_level == level.value, value)
                      for level, value in RISK_RANK_BONUS.items()], else_=0.0)
    op.execute(sa.update(message).values(
        group_id=sa.select(sender.c.group_id).where(own).scalar_subquery(),
        flagged=message.c.flags != "",
        rank=message.c.priority + sa.select(bonus).where(own).scalar_subquery()))
    shown = sa.and_(sa.column("superseded", sa.Boolean).is_(False),
                    sa.column("staged", sa.Boolean).is_(False))
    for name, columns in INDEXES:  # the queue's own indexes hold only the rows it can show
        if name.startswith("ix_messages_queue_"):
            op.create_index(name, "messages", columns, sqlite_where=shown,
                            postgresql_where=shown)
        else:
            op.create_index(name, "messages", columns)


    op.create_table(
        "message_labels",
        sa.Column("message_id", sa.Integer, sa.ForeignKey("messages.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("label", sa.String(32), primary_key=True),
        sa.Column("shown", sa.Boolean, nullable=False),
        sa.Column("review_state", sa.String(16), nullable=False),
        sa.Column("rank", sa.Float, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False))
    op.create_index("ix_message_labels_state", "message_labels",
                    ["label", "shown", "review_state", "rank", "created_at", "message_id"])
    op.create_index("ix_message_labels_all", "message_labels",
                    ["label", "shown", "rank", "created_at", "message_id"])
    op.drop_index("ix_messages_sender_id", "messages")  # ix_messages_sender_time serves it too
    conn = op.get_bind()
    rows = sa.table("messages", sa.column("id", sa.Integer), sa.column("flags", sa.String),
                    sa.column("superseded", sa.Boolean), sa.column("staged", sa.Boolean),
                    sa.column("review_state", sa.String), sa.column("rank", sa.Float),
                    sa.column("created_at", sa.DateTime(timezone=True)))
    labels = sa.table("message_labels", *(sa.column(c) for c in (
        "message_id", "label", "shown", "review_state", "rank", "created_at")))
    after = 0
    while True:
        found = conn.execute(sa.select(rows).where(rows.c.id > after, rows.c.flags != "")
                             .order_by(rows.c.id).limit(2000)).all()
        if not found:
            break
        conn.execute(sa.insert(labels), [
            {"message_id": r.id, "label": label, "shown": not (r.superseded or r.staged),
             "review_state": r.review_state, "rank": r.rank, "created_at": r.created_at}
            for r in found for label in dict.fromkeys(r.flags.split(",")) if label])
        after = found[-1].id


def downgrade() -> None:
    op.drop_table("message_labels")
    op.create_index("ix_messages_sender_id", "messages", ["sender_id"])
    for name, _ in INDEXES:
        op.drop_index(name, "messages")
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("flagged")
        batch.drop_column("group_id")
        batch.drop_column("rank")

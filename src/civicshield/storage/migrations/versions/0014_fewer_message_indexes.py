"""Fewer indexes on messages, so that each message stored costs less: the priority and the
near-duplicate key had indexes of their own that no query reads any more (the queue is read
along its rank indexes, a sender's repeats along the repeats index), and the index of edited
records' first versions now holds only edited records.

Revision ID: 0014_fewer_message_indexes
Revises: 0013_message_search
"""

import sqlalchemy as sa
from alembic import op

revision = "0014_fewer_message_indexes"
down_revision = "0013_message_search"
branch_labels = None
depends_on = None
#: Indexes no query reads: (name, column).
UNREAD = (("ix_messages_priority", "priority"), ("ix_messages_near_key", "near_key"))


def upgrade() -> None:
    """Drop the unread indexes; index only the edited records' first versions."""
    for name, _ in UNREAD:
        op.drop_index(name, "messages")
    op.drop_index("ix_messages_origin_id", "messages")
    edited = sa.column("origin_id", sa.Integer).is_not(None)
    op.create_index("ix_messages_origin_id", "messages", ["origin_id"], sqlite_where=edited,
                    postgresql_where=edited)


def downgrade() -> None:
    """Put the indexes back as they were."""
    op.drop_index("ix_messages_origin_id", "messages")
    op.create_index("ix_messages_origin_id", "messages", ["origin_id"])
    for name, column in UNREAD:
        op.create_index(name, "messages", [column])

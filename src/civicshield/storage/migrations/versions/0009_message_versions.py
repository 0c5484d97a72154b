"""Edited records: a message read again with the same id but other text is stored as a new
version pointing at the first (``origin_id``); the older versions are marked ``superseded``.

Revision ID: 0009_message_versions
Revises: 0008_hygiene
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_message_versions"
down_revision = "0008_hygiene"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add messages.origin_id and messages.superseded."""
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("origin_id", sa.Integer, nullable=True))
        batch.add_column(sa.Column("superseded", sa.Boolean, nullable=False,
                                   server_default=sa.false()))
        batch.create_foreign_key("fk_messages_origin_id_messages", "messages", ["origin_id"],
                                 ["id"])
    op.create_index("ix_messages_origin_id", "messages", ["origin_id"])


def downgrade() -> None:
    op.drop_index("ix_messages_origin_id", "messages")
    with op.batch_alter_table("messages") as batch:
        batch.drop_constraint("fk_messages_origin_id_messages", type_="foreignkey")
        batch.drop_column("superseded")
        batch.drop_column("origin_id")

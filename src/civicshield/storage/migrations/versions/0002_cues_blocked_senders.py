"""Threat-assessment cues on findings and messages; senders blocked by staff.

Revision ID: 0002_cues_blocked_senders
Revises: 0001_initial_schema
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_cues_blocked_senders"
down_revision = "0001_initial_schema"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add findings.cue, messages.cues and senders.blocked_at."""
    with op.batch_alter_table("findings") as table:
        table.add_column(sa.Column("cue", sa.String(32), nullable=False, server_default=""))
    with op.batch_alter_table("messages") as table:
        table.add_column(sa.Column("cues", sa.String(200), nullable=False, server_default=""))
    with op.batch_alter_table("senders") as table:
        table.add_column(sa.Column("blocked_at", sa.DateTime(timezone=True), nullable=True))

"""Staged imports: an import writes its messages in short transactions, hidden
(``messages.staged``) until it is published in one statement, and removed if it fails; the
write lock is never held for a whole file.

Revision ID: 0010_staged_imports
Revises: 0009_message_versions
"""

import sqlalchemy as sa
from alembic import op

revision = "0010_staged_imports"
down_revision = "0009_message_versions"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add messages.staged."""
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("staged", sa.Boolean, nullable=False,
                                   server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("staged")

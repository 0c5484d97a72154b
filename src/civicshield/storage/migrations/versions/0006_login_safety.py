"""Login safety: one-time passwords that expire at first use, and failed logins counted per
account and per address for throttling.

Revision ID: 0006_login_safety
Revises: 0005_custody_binding
"""

import sqlalchemy as sa
from alembic import op

revision = "0006_login_safety"
down_revision = "0005_custody_binding"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add users.password_state (existing passwords count as chosen) and login_failures."""
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("password_state", sa.String(16), nullable=False,
                                   server_default="set"))
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_login_failures_key_at", "login_failures", ["key", "at"])


def downgrade() -> None:
    op.drop_index("ix_login_failures_key_at", "login_failures")
    op.drop_table("login_failures")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("password_state")

"""Chain of custody that binds every fact: signed ledger entries, each incident's last entry,
the notice record and the victim impact statement.

Revision ID: 0005_custody_binding
Revises: 0004_exposure
"""

import sqlalchemy as sa
from alembic import op

revision = "0005_custody_binding"
down_revision = "0004_exposure"
branch_labels = None
depends_on = None

GENESIS = "0" * 64


def upgrade() -> None:
    """Add ledger.signature and the incidents' notices, impact statement and last entry; record
    each existing incident's last entry as it stands."""
    with op.batch_alter_table("ledger") as batch:
        batch.add_column(sa.Column("signature", sa.String(128), nullable=False,
                                   server_default=""))
    with op.batch_alter_table("incidents") as batch:
        batch.add_column(sa.Column("notices", sa.Text, nullable=False, server_default="[]"))
        batch.add_column(sa.Column("impact_statement", sa.Text, nullable=False,
                                   server_default=""))
        batch.add_column(sa.Column("head_seq", sa.Integer, nullable=False, server_default="0"))
        batch.add_column(sa.Column("head_hash", sa.String(64), nullable=False,
                                   server_default=GENESIS))
    op.execute("""
        UPDATE incidents SET
          head_seq = COALESCE((SELECT MAX(l.seq) FROM ledger l
                               WHERE l.incident_id = incidents.id), 0),
          head_hash = COALESCE((SELECT l.hash FROM ledger l WHERE l.incident_id = incidents.id
                                ORDER BY l.seq DESC LIMIT 1), :genesis)
    """.replace(":genesis", f"'{GENESIS}'"))


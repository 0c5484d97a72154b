"""Account and password hygiene: audit rounds (the fingerprint key is derived per round),
audits, their findings (details encrypted; never a password), fingerprints and exclusions; the
account inventory and its privacy checks.

Revision ID: 0008_hygiene
Revises: 0007_intake_alerts_safety
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_hygiene"
down_revision = "0007_intake_alerts_safety"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the seven tables."""
    op.create_table(
        "hygiene_rounds",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("started_by", sa.String(100), nullable=False),
    )
    op.create_table(
        "hygiene_audits",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("principal_id", sa.Integer, sa.ForeignKey("principals.id"), nullable=False),
        sa.Column("round_id", sa.Integer, sa.ForeignKey("hygiene_rounds.id"), nullable=False),
        sa.Column("person", sa.String(200), nullable=False),
        sa.Column("format", sa.String(32), nullable=False),
        sa.Column("vault_kind", sa.String(16), nullable=False),
        sa.Column("policy", sa.String(32), nullable=False),
        sa.Column("breach_check", sa.String(16), nullable=False),
        sa.Column("entries", sa.Integer, nullable=False),
        sa.Column("score", sa.Integer, nullable=False),
        sa.Column("counts", sa.Text, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
    )
    op.create_index("ix_hygiene_audits_person", "hygiene_audits",
                    ["principal_id", "person", "created_at"])
    op.create_table(
        "hygiene_findings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("audit_id", sa.Integer, sa.ForeignKey("hygiene_audits.id"), nullable=False),
        sa.Column("issue", sa.String(32), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
        sa.Column("details_encrypted", sa.LargeBinary, nullable=False),
    )
    op.create_index("ix_hygiene_findings_audit_id", "hygiene_findings", ["audit_id"])
    op.create_table(
        "hygiene_fingerprints",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("audit_id", sa.Integer, sa.ForeignKey("hygiene_audits.id"), nullable=False),
        sa.Column("fingerprint", sa.String(64), nullable=False),
    )
    op.create_index("ix_hygiene_fingerprints_audit_id", "hygiene_fingerprints", ["audit_id"])
    op.create_table(
        "hygiene_exclusions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("principal_id", sa.Integer, sa.ForeignKey("principals.id"), nullable=False),
        sa.Column("issue", sa.String(32), nullable=False),
        sa.Column("site_encrypted", sa.LargeBinary, nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
    )
    op.create_table(
        "inventory_accounts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("principal_id", sa.Integer, sa.ForeignKey("principals.id"), nullable=False),
        sa.Column("platform", sa.String(40), nullable=False),
        sa.Column("handle", sa.String(300), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("controlled_by", sa.String(200), nullable=False),
        sa.Column("two_factor", sa.Boolean, nullable=True),
        sa.Column("details_encrypted", sa.LargeBinary, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_index("ix_inventory_accounts_principal_id", "inventory_accounts",
                    ["principal_id"])
    op.create_table(
        "inventory_checks",
        sa.Column("account_id", sa.Integer, sa.ForeignKey("inventory_accounts.id"),
                  primary_key=True),
        sa.Column("check_key", sa.String(64), primary_key=True),
        sa.Column("done_at", TS, nullable=False),
        sa.Column("done_by", sa.String(100), nullable=False),
    )


def downgrade() -> None:
    for name in ("inventory_checks", "inventory_accounts", "hygiene_exclusions",
                 "hygiene_fingerprints", "hygiene_findings", "hygiene_audits",
                 "hygiene_rounds"):
        op.drop_table(name)

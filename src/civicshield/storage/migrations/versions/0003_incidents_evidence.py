"""Incidents, evidence items (encrypted originals) and the hash-chained ledger.

Revision ID: 0003_incidents_evidence
Revises: 0002_cues_blocked_senders
"""

import sqlalchemy as sa
from alembic import op

revision = "0003_incidents_evidence"
down_revision = "0002_cues_blocked_senders"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create incidents, evidence_items and ledger."""
    op.create_table(
        "incidents",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("principal_id", sa.Integer, nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("notes", sa.Text, nullable=False),
        sa.Column("police_reports", sa.Text, nullable=False),
        sa.Column("involved", sa.Text, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_incidents"),
        sa.ForeignKeyConstraint(["principal_id"], ["principals.id"],
                                name="fk_incidents_principal_id_principals"),
    )
    op.create_table(
        "evidence_items",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("incident_id", sa.Integer, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("message_id", sa.Integer, nullable=True),
        sa.Column("derived_from", sa.Integer, nullable=True),
        sa.Column("file_name", sa.String(300), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("captured_at", TS, nullable=False),
        sa.Column("captured_by", sa.String(100), nullable=False),
        sa.Column("source", sa.Text, nullable=False),
        sa.Column("content_encrypted", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_evidence_items"),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"],
                                name="fk_evidence_items_incident_id_incidents"),
        sa.ForeignKeyConstraint(["message_id"], ["messages.id"],
                                name="fk_evidence_items_message_id_messages"),
        sa.ForeignKeyConstraint(["derived_from"], ["evidence_items.id"],
                                name="fk_evidence_items_derived_from_evidence_items"),
        sa.UniqueConstraint("incident_id", "message_id", name="uq_evidence_items_message"),
    )
    op.create_index("ix_evidence_items_incident_id", "evidence_items", ["incident_id"])
    op.create_table(
        "ledger",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("incident_id", sa.Integer, nullable=False),
        sa.Column("item_id", sa.Integer, nullable=True),
        sa.Column("details", sa.Text, nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_ledger"),
        sa.UniqueConstraint("seq", name="uq_ledger_seq"),
    )
    op.create_index("ix_ledger_incident_id", "ledger", ["incident_id"])

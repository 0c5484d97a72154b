"""Exposure audit: scans, findings (context encrypted), broker checks, removal requests.

Revision ID: 0004_exposure
Revises: 0003_incidents_evidence
"""

import sqlalchemy as sa
from alembic import op

revision = "0004_exposure"
down_revision = "0003_incidents_evidence"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([column], [f"{target}.id"],
                                   name=f"fk_{table}_{column}_{target}")


def upgrade() -> None:
    """Create exposure_scans, exposure_findings, broker_checks, removal_requests and
    request_events."""
    op.create_table(
        "exposure_scans",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("principal_id", sa.Integer, nullable=False),
        sa.Column("started_at", TS, nullable=False),
        sa.Column("finished_at", TS, nullable=True),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("targets", sa.Text, nullable=False),
        sa.Column("documents", sa.Integer, nullable=False),
        sa.Column("findings", sa.Integer, nullable=False),
        sa.Column("errors", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_exposure_scans"),
        _fk("exposure_scans", "principal_id", "principals"),
    )
    op.create_table(
        "exposure_findings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("principal_id", sa.Integer, nullable=False),
        sa.Column("scan_id", sa.Integer, nullable=False),
        sa.Column("match_key", sa.String(64), nullable=False),
        sa.Column("location", sa.Text, nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("detail", sa.String(32), nullable=False),
        sa.Column("confidence", sa.Float, nullable=False),
        sa.Column("why", sa.Text, nullable=False),
        sa.Column("content_encrypted", sa.LargeBinary, nullable=False),
        sa.Column("page_sha256", sa.String(64), nullable=False),
        sa.Column("first_seen", TS, nullable=False),
        sa.Column("last_seen", TS, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_exposure_findings"),
        _fk("exposure_findings", "principal_id", "principals"),
        _fk("exposure_findings", "scan_id", "exposure_scans"),
        sa.UniqueConstraint("principal_id", "match_key", name="uq_exposure_findings_match"),
    )
    op.create_index("ix_exposure_findings_principal_id", "exposure_findings", ["principal_id"])
    op.create_table(
        "broker_checks",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("principal_id", sa.Integer, nullable=False),
        sa.Column("broker_id", sa.String(200), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("listing_url_encrypted", sa.LargeBinary, nullable=True),
        sa.Column("checked_at", TS, nullable=True),
        sa.Column("checked_by", sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_broker_checks"),
        _fk("broker_checks", "principal_id", "principals"),
        sa.UniqueConstraint("principal_id", "broker_id", name="uq_broker_checks_site"),
    )
    op.create_table(
        "removal_requests",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("principal_id", sa.Integer, nullable=False),
        sa.Column("finding_id", sa.Integer, nullable=True),
        sa.Column("broker_id", sa.String(200), nullable=False),
        sa.Column("addressee", sa.String(300), nullable=False),
        sa.Column("addressee_kind", sa.String(16), nullable=False),
        sa.Column("location", sa.Text, nullable=False),
        sa.Column("basis", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("letter_encrypted", sa.LargeBinary, nullable=False),
        sa.Column("email_to", sa.String(300), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("created_by", sa.String(100), nullable=False),
        sa.Column("sent_at", TS, nullable=True),
        sa.Column("due_at", TS, nullable=True),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("last_checked", TS, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_removal_requests"),
        _fk("removal_requests", "principal_id", "principals"),
        _fk("removal_requests", "finding_id", "exposure_findings"),
    )
    op.create_index("ix_removal_requests_principal_id", "removal_requests", ["principal_id"])
    op.create_table(
        "request_events",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("request_id", sa.Integer, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_request_events"),
        _fk("request_events", "request_id", "removal_requests"),
    )
    op.create_index("ix_request_events_request_id", "request_events", ["request_id"])

"""Live intake, alerts and the safety plan: intake sources with their checkpoints and health,
risk level changes, alerts and the messages in each, the notification outbox, webhook targets,
and the encrypted safety plans.

Revision ID: 0007_intake_alerts_safety
Revises: 0006_login_safety
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_intake_alerts_safety"
down_revision = "0006_login_safety"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Create the seven tables."""
    op.create_table(
        "intake_sources",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("principal_id", sa.Integer, sa.ForeignKey("principals.id"), nullable=False),
        sa.Column("channel_kind", sa.String(16), nullable=False),
        sa.Column("config", sa.Text, nullable=False),
        sa.Column("secret_encrypted", sa.LargeBinary, nullable=True),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("checkpoint", sa.Text, nullable=False),
        sa.Column("last_message_at", TS, nullable=True),
        sa.Column("last_poll_at", TS, nullable=True),
        sa.Column("last_error", sa.String(500), nullable=False),
        sa.Column("last_error_at", TS, nullable=True),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "risk_changes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("group_id", sa.Integer, nullable=False),
        sa.Column("level", sa.String(16), nullable=False),
        sa.Column("at", TS, nullable=False),
    )
    op.create_index("ix_risk_changes_group_at", "risk_changes", ["group_id", "at"])
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("rule", sa.String(100), nullable=False),
        sa.Column("group_key", sa.String(300), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("principal_id", sa.Integer, sa.ForeignKey("principals.id"), nullable=False),
        sa.Column("summary", sa.String(500), nullable=False),
        sa.Column("reasons", sa.Text, nullable=False),
        sa.Column("first_at", TS, nullable=False),
        sa.Column("last_at", TS, nullable=False),
        sa.Column("message_count", sa.Integer, nullable=False),
        sa.Column("notified_count", sa.Integer, nullable=False),
        sa.Column("last_notified_at", TS, nullable=True),
        sa.Column("next_notify_at", TS, nullable=True),
        sa.Column("escalation_step", sa.Integer, nullable=False),
        sa.Column("escalated_at", TS, nullable=True),
        sa.Column("acknowledged_by", sa.String(100), nullable=False),
        sa.Column("acknowledged_at", TS, nullable=True),
        sa.Column("resolved_by", sa.String(100), nullable=False),
        sa.Column("resolved_at", TS, nullable=True),
        sa.Column("incident_id", sa.Integer, sa.ForeignKey("incidents.id"), nullable=True),
    )
    op.create_index("ix_alerts_next_notify_at", "alerts", ["next_notify_at"])
    op.create_index("ix_alerts_group_key_status", "alerts", ["group_key", "status"])
    op.create_table(
        "alert_messages",
        sa.Column("alert_id", sa.Integer, sa.ForeignKey("alerts.id"), primary_key=True),
        sa.Column("message_id", sa.Integer, sa.ForeignKey("messages.id"), primary_key=True),
        sa.Column("added_at", TS, nullable=False),
    )
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("alert_id", sa.Integer, sa.ForeignKey("alerts.id"), nullable=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("target", sa.String(300), nullable=False),
        sa.Column("idempotency_key", sa.String(200), nullable=False, unique=True),
        sa.Column("payload_encrypted", sa.LargeBinary, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", TS, nullable=False),
        sa.Column("last_error", sa.String(500), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("sent_at", TS, nullable=True),
    )
    op.create_index("ix_outbox_status_next", "outbox", ["status", "next_attempt_at"])
    op.create_table(
        "notify_targets",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(100), nullable=False, unique=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("url_encrypted", sa.LargeBinary, nullable=False),
        sa.Column("secret_encrypted", sa.LargeBinary, nullable=True),
        sa.Column("min_severity", sa.String(16), nullable=False),
        sa.Column("enabled", sa.Boolean, nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_table(
        "safety_plans",
        sa.Column("principal_id", sa.Integer, sa.ForeignKey("principals.id"), primary_key=True),
        sa.Column("plan_encrypted", sa.LargeBinary, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("reviewed_at", TS, nullable=True),
    )


def downgrade() -> None:
    for name in ("safety_plans", "notify_targets", "outbox", "alert_messages", "alerts",
                 "risk_changes", "intake_sources"):
        op.drop_table(name)

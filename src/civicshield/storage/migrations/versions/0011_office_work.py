"""Office work without an engineer: review actions kept so they can be undone, sender merges
kept so they can be undone, CSV column mappings remembered per form, and each message's
near-duplicate key (filled in for the messages already stored).

Revision ID: 0011_office_work
Revises: 0010_staged_imports
"""

import sqlalchemy as sa
from alembic import op

from civicshield.domain.similarity import near_key

revision = "0011_office_work"
down_revision = "0010_staged_imports"
branch_labels = None
depends_on = None
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Add review_changes, sender_merges, import_mappings and messages.near_key."""
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("near_key", sa.String(16), nullable=False,
                                   server_default=""))
    op.create_index("ix_messages_near_key", "messages", ["near_key"])
    conn = op.get_bind()
    table = sa.table("messages", sa.column("id", sa.Integer), sa.column("text", sa.Text),
                     sa.column("near_key", sa.String))
    after = 0
    while True:
        rows = conn.execute(sa.select(table.c.id, table.c.text).where(table.c.id > after)
                            .order_by(table.c.id).limit(2000)).all()
        if not rows:
            break
        conn.execute(sa.update(table).where(table.c.id == sa.bindparam("mid"))
                     .values(near_key=sa.bindparam("key")),
                     [{"mid": r.id, "key": near_key(r.text)} for r in rows])
        after = rows[-1].id
    op.create_table(
        "review_changes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("batch", sa.String(32), nullable=False),
        sa.Column("message_id", sa.Integer, sa.ForeignKey("messages.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("before_state", sa.String(16), nullable=False),
        sa.Column("before_by", sa.String(100), nullable=True),
        sa.Column("before_at", TS, nullable=True),
        sa.Column("after_state", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("undone_at", TS, nullable=True))
    op.create_index("ix_review_changes_batch", "review_changes", ["batch"])
    op.create_index("ix_review_changes_at", "review_changes", ["at"])
    op.create_table(
        "sender_merges",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("keep_group_id", sa.Integer, nullable=False),
        sa.Column("merged_group_id", sa.Integer, nullable=False),
        sa.Column("sender_ids", sa.Text, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("at", TS, nullable=False),
        sa.Column("undone_at", TS, nullable=True),
        sa.Column("undone_by", sa.String(100), nullable=True))
    op.create_table(
        "import_mappings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("headers_key", sa.String(64), nullable=False, unique=True),
        sa.Column("source_name", sa.String(200), nullable=False),
        sa.Column("mapping", sa.Text, nullable=False),
        sa.Column("updated_by", sa.String(100), nullable=False),
        sa.Column("updated_at", TS, nullable=False))


def downgrade() -> None:
    op.drop_table("import_mappings")
    op.drop_table("sender_merges")
    op.drop_index("ix_review_changes_at", "review_changes")
    op.drop_index("ix_review_changes_batch", "review_changes")
    op.drop_table("review_changes")
    op.drop_index("ix_messages_near_key", "messages")
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("near_key")

"""Full-text search of message text: on SQLite an FTS5 table kept in step by triggers, on
PostgreSQL a GIN index over the text's tsvector (``storage.search`` holds both); an index of
the messages a bulk import stored unjudged; and ``sender_keys``, what each sender identity may
share with another of the same person (an email address, a user name, a full name), indexed,
so that suggested matches are found without reading every sender.

A later migration that rebuilds the messages table on SQLite (``batch_alter_table``) drops
these triggers with the old table and must create them again.

Revision ID: 0013_message_search
Revises: 0012_queue_index
"""

import sqlalchemy as sa
from alembic import op

from civicshield.domain.similarity import Identity, identity_keys
from civicshield.storage.search import SQLITE_DROP, SQLITE_SCHEMA, pg_document

revision = "0013_message_search"
down_revision = "0012_queue_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Index every stored message's subject and text for search, and every sender's keys."""
    op.create_table(
        "sender_keys",
        sa.Column("sender_id", sa.Integer, sa.ForeignKey("senders.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("key", sa.String(400), primary_key=True))
    op.create_index("ix_sender_keys_key", "sender_keys", ["key"])
    conn = op.get_bind()
    sender = sa.table("senders", sa.column("id", sa.Integer), sa.column("platform", sa.String),
                      sa.column("external_id", sa.String), sa.column("handle", sa.String),
                      sa.column("display_name", sa.String))
    keys = sa.table("sender_keys", sa.column("sender_id", sa.Integer),
                    sa.column("key", sa.String))
    after = 0
    while True:
        rows = conn.execute(sa.select(sender).where(sender.c.id > after)
                            .order_by(sender.c.id).limit(5000)).all()
        if not rows:
            break
        found = [{"sender_id": r.id, "key": k[:400]} for r in rows for k in sorted(identity_keys(
            Identity(r.id, r.id, r.platform, r.external_id, r.handle, r.display_name)))]
        if found:
            conn.execute(sa.insert(keys), found)
        after = rows[-1].id
    unjudged = sa.and_(sa.column("analysis_signature", sa.String) == "",
                       sa.column("superseded", sa.Boolean).is_(False),
                       sa.column("staged", sa.Boolean).is_(False))
    op.create_index("ix_messages_unjudged", "messages", ["id"], sqlite_where=unjudged,
                    postgresql_where=unjudged)
    if op.get_bind().dialect.name == "postgresql":
        op.create_index("ix_messages_search", "messages",
                        [pg_document(sa.column("subject"), sa.column("text"))],
                        postgresql_using="gin")
        return
    for statement in SQLITE_SCHEMA:
        op.execute(statement)


def downgrade() -> None:
    """Remove the search index and the sender keys."""
    op.drop_table("sender_keys")
    op.drop_index("ix_messages_unjudged", "messages")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_messages_search", "messages")
        return
    for statement in SQLITE_DROP:
        op.execute(statement)

"""Full-text search of message text: on SQLite an FTS5 table kept in step by triggers, on
PostgreSQL a GIN index over the text's tsvector (``storage.search`` holds both).

A later migration that rebuilds the messages table on SQLite (``batch_alter_table``) drops
these triggers with the old table and must create them again.

Revision ID: 0013_message_search
Revises: 0012_queue_index
"""

import sqlalchemy as sa
from alembic import op

from civicshield.storage.search import SQLITE_DROP, SQLITE_SCHEMA, pg_document

revision = "0013_message_search"
down_revision = "0012_queue_index"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Index every stored message's subject and text for search."""
    if op.get_bind().dialect.name == "postgresql":
        op.create_index("ix_messages_search", "messages",
                        [pg_document(sa.column("subject"), sa.column("text"))],
                        postgresql_using="gin")
        return
    for statement in SQLITE_SCHEMA:
        op.execute(statement)


def downgrade() -> None:
    """Remove the search index."""
    if op.get_bind().dialect.name == "postgresql":
        op.drop_index("ix_messages_search", "messages")
        return
    for statement in SQLITE_DROP:
        op.execute(statement)

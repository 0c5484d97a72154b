"""The words the search index holds, listed once (``search_words``), so that a prefix is
searched as the words that start with it without reading the index's vocabulary. On
PostgreSQL triggers list a message's words as it is written; on SQLite triggers note the
messages whose words are not listed yet (``search_words_pending``, empty on PostgreSQL) and
the repository lists them (``storage.search``). Every stored message's words are listed here.

A later migration that rebuilds the messages table on SQLite (``batch_alter_table``) drops
these triggers with the old table and must create them again.

Revision ID: 0015_search_words
Revises: 0014_fewer_message_indexes
"""

import sqlalchemy as sa
from alembic import op

from civicshield.storage.search import (
    WORDS_PG_DROP,
    WORDS_SQLITE_DROP,
    WORDS_SQLITE_SCHEMA,
    list_pending_words,
    words_pg_list_all,
    words_pg_schema,
)

revision = "0015_search_words"
down_revision = "0014_fewer_message_indexes"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """List every stored message's words, and note the words of those written from now on."""
    postgresql = op.get_bind().dialect.name == "postgresql"
    op.create_table(
        "search_words",
        sa.Column("word", sa.Text().with_variant(sa.Text(collation="C"), "postgresql"),
                  primary_key=True),
        sqlite_with_rowid=False)
    op.create_table(
        "search_words_pending",
        sa.Column("message_id", sa.Integer, primary_key=True, autoincrement=False))
    for statement in words_pg_schema() if postgresql else WORDS_SQLITE_SCHEMA:
        op.execute(statement)
    if postgresql:
        op.execute(words_pg_list_all())
        return
    op.execute("INSERT INTO search_words_pending (message_id) SELECT id FROM messages")
    list_pending_words(op.get_bind())


def downgrade() -> None:
    """Remove the list of words and its triggers."""
    postgresql = op.get_bind().dialect.name == "postgresql"
    for statement in WORDS_PG_DROP if postgresql else WORDS_SQLITE_DROP:
        op.execute(statement)
    op.drop_table("search_words_pending")
    op.drop_table("search_words")

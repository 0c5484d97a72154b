"""A bulk import's rows join their sender group when the import is published: the indexes
keyed by sender group (a group's messages by time, a group's repeats) hold only rows that
have a group, so that writing a large archive does not insert each row into them one by one
(each insert lands on a page of its own once the index outgrows the page cache).

Revision ID: 0016_bulk_rows_grouped_later
Revises: 0015_search_words
"""

import sqlalchemy as sa
from alembic import op

revision = "0016_bulk_rows_grouped_later"
down_revision = "0015_search_words"
branch_labels = None
depends_on = None
#: The group-keyed indexes: (name, columns).
GROUPED = (("ix_messages_group_time", ["group_id", "created_at"]),
           ("ix_messages_repeats", ["group_id", "near_key", "rank"]))


def upgrade() -> None:
    """Index only the rows that have a sender group."""
    grouped = sa.column("group_id", sa.Integer).is_not(None)
    for name, columns in GROUPED:
        op.drop_index(name, "messages")
        op.create_index(name, "messages", columns, sqlite_where=grouped,
                        postgresql_where=grouped)


def downgrade() -> None:
    """Index every row again."""
    for name, columns in GROUPED:
        op.drop_index(name, "messages")
        op.create_index(name, "messages", columns)

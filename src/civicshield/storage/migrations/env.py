"""Alembic environment: runs migrations on the engine civicshield hands over."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from civicshield.storage.tables import metadata, name_postgresql_conditions

config = context.config
engine = config.attributes.get("engine") or create_engine(
    config.get_main_option("sqlalchemy.url") or "sqlite://")

with engine.connect() as connection:
    if connection.dialect.name == "postgresql":
        name_postgresql_conditions()
    context.configure(connection=connection, target_metadata=metadata,
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()

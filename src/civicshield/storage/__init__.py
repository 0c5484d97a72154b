"""Storage adapter: SQLAlchemy tables, the repository, and Alembic migrations."""

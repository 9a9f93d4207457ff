"""Data layer: SQLAlchemy ORM, engine and session factory, Alembic migrations. No Qt here."""

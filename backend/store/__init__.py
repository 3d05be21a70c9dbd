"""Relational store: typed SQLAlchemy 2.0 models, sessions and Alembic migrations."""

from backend.store.db import Database, utcnow
from backend.store.models import Base

__all__ = ["Base", "Database", "utcnow"]

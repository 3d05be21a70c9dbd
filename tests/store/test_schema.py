"""The relational store on both backends: migrations build exactly the models' schema."""

from __future__ import annotations

from datetime import datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, select, text

from backend.store.db import Database, utcnow
from backend.store.models import Account, Base
from tests.store.helpers import all_models


def test_migrations_build_the_schema_the_models_describe(db):
    all_models()
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == [], f"models and migrations disagree: {diff}"


def test_migrating_again_changes_nothing(db):
    tables = set(inspect(db.engine).get_table_names())
    db.migrate()
    assert set(inspect(db.engine).get_table_names()) == tables
    assert {"accounts", "users", "api_keys", "profiles", "lists", "events"} <= tables


def test_session_commits_on_success_and_rolls_back_on_error(db):
    with db.session() as s:
        s.add(Account(id="acc_kept", name="Kept", dimensions=[]))
    with pytest.raises(RuntimeError), db.session() as s:
        s.add(Account(id="acc_lost", name="Lost", dimensions=[]))
        s.flush()
        raise RuntimeError("boom")
    with db.session() as s:
        assert s.scalars(select(Account.id).order_by(Account.id)).all() == ["acc_kept"]


def test_timestamps_are_naive_utc_on_both_backends(db):
    before = utcnow()
    with db.session() as s:
        s.add(Account(id="acc_t", name="T", dimensions=["utm_source"]))
    with db.session() as s:
        acc = s.get(Account, "acc_t")
        assert isinstance(acc.created_at, datetime) and acc.created_at.tzinfo is None
        assert before <= acc.created_at <= utcnow()
        assert acc.dimensions == ["utm_source"]


def test_sqlite_runs_in_wal_mode_with_foreign_keys(sqlite_url):
    database = Database(sqlite_url)
    database.migrate()
    with database.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    database.dispose()

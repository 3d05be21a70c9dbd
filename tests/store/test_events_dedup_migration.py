"""Migration events_0001 (the compact dedup key) on a store with events, on SQLite and
PostgreSQL: every event gets its key, the aggregator still finds them all, and downgrading
brings the old unique constraint back."""

from __future__ import annotations

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from backend.ingest import dedup as ingest_dedup
from backend.ingest.dedup import seen_message_ids
from backend.store import dedup
from backend.store.db import Database
from backend.store.migrate import alembic_config
from backend.store.models import Base
from tests.conftest import throwaway_pg_database
from tests.store.helpers import all_models

EVENTS = [("acc_a", "m1"), ("acc_a", "m2"), ("acc_b", "m1"), ("acc_a", "m3")]


@pytest.fixture(params=["sqlite", "postgresql"])
def old_store(request, tmp_path):
    """A store at revision 0002 (before the key) holding EVENTS."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
        db = Database(url)
        yield from _filled(db)
        return
    with throwaway_pg_database("tally_dedup") as url:
        yield from _filled(Database(url))


def _filled(db: Database):
    _run(db, command.upgrade, "0002")
    with db.engine.begin() as conn:
        for acc in ("acc_a", "acc_b"):
            conn.execute(
                text(
                    "INSERT INTO accounts (id, name, dimensions, created_at) "
                    "VALUES (:a, 'Shop', '[]', CURRENT_TIMESTAMP)"
                ),
                {"a": acc},
            )
        for acc, mid in EVENTS:
            conn.execute(
                text(
                    "INSERT INTO events (account_id, message_id, metric, ts, received_at, "
                    "properties) VALUES (:a, :m, 'Placed Order', CURRENT_TIMESTAMP, "
                    "CURRENT_TIMESTAMP, '{}')"
                ),
                {"a": acc, "m": mid},
            )
    try:
        yield db
    finally:
        db.engine.dispose()


def _run(db: Database, action, revision: str) -> None:
    cfg = alembic_config()
    with db.engine.begin() as connection:
        cfg.attributes["connection"] = connection
        action(cfg, revision)


def _stored(db: Database) -> dict[tuple[str, str], int | None]:
    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT account_id, message_id, dedup_key FROM events"))
        return {(a, m): k for a, m, k in rows}


def _unique_constraints(db: Database) -> set[str]:
    return {c["name"] for c in inspect(db.engine).get_unique_constraints("events")}


def test_existing_events_get_their_keys_and_stay_deduplicated(old_store):
    assert "uq_events_message" in _unique_constraints(old_store)
    old_store.migrate()
    assert _stored(old_store) == {(a, m): dedup.dedup_key(a, m) for a, m in EVENTS}
    assert "uq_events_message" not in _unique_constraints(old_store)
    indexes = {i["name"]: i for i in inspect(old_store.engine).get_indexes("events")}
    assert indexes["uq_events_dedup_key"]["unique"]
    assert indexes["uq_events_collided"]["unique"]
    assert {"ix_events_metric_ts", "ix_events_profile_metric_ts"} <= set(indexes)
    all_models()
    with old_store.engine.connect() as conn:  # the copied table is the models' table
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
    with old_store.session() as s:
        seen, keys = seen_message_ids(s, "acc_a", ["m1", "m2", "m3", "m4"])
    assert seen == {"m1", "m2", "m3"}
    assert keys["m4"] == dedup.dedup_key("acc_a", "m4")


def test_events_whose_keys_collide_keep_one_and_are_found_by_id(old_store, monkeypatch):
    monkeypatch.setattr(dedup, "dedup_key", lambda account, mid: 42)
    old_store.migrate()
    stored = _stored(old_store)
    assert sorted(stored.values(), key=str) == [42, None, None, None]
    assert stored[EVENTS[0]] == 42  # the first event keeps the key
    with old_store.session() as s:
        monkeypatch.setattr(ingest_dedup, "dedup_keys", lambda account, mids: [42] * len(mids))
        seen, _ = seen_message_ids(s, "acc_a", ["m1", "m2", "m3", "m4"])
    assert seen == {"m1", "m2", "m3"}


def test_downgrading_restores_the_unique_constraint(old_store):
    old_store.migrate()
    _run(old_store, command.downgrade, "0002")
    assert "uq_events_message" in _unique_constraints(old_store)
    assert "dedup_key" not in {c["name"] for c in inspect(old_store.engine).get_columns("events")}
    with old_store.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM events")).scalar_one() == len(EVENTS)

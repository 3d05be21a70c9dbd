"""Migration lists_0001 on a store that already has members, on SQLite and PostgreSQL:
each member counts once as a join, in the hour it joined, from "earlier"."""

from __future__ import annotations

from datetime import date

import pytest
from alembic import command
from sqlalchemy import text

from backend.lists import growth
from backend.store.db import Database
from backend.store.migrate import alembic_config
from tests.conftest import throwaway_pg_database


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_url(request, tmp_path):
    """An EMPTY database (the shared PostgreSQL one is already migrated to the heads)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'old.sqlite3'}"
        return
    with throwaway_pg_database("tally_mig") as url:
        yield url


def test_members_from_before_count_as_earlier_joins(fresh_url):
    db = Database(fresh_url)
    try:
        cfg = alembic_config()
        with db.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "0001")  # the store as it was before list growth
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO accounts (id, name, dimensions, created_at) "
                    "VALUES ('acc_old', 'Old', '[]', '2026-11-01 08:00:00')"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO lists (id, account_id, name, created_at) "
                    "VALUES (1, 'acc_old', 'Newsletter', '2026-11-01 08:00:00')"
                )
            )
            for pid, at in (
                (1, "2026-11-02 09:10:00"),
                (2, "2026-11-02 09:50:00"),
                (3, "2026-11-03 23:59:00"),
            ):
                conn.execute(
                    text(
                        "INSERT INTO profiles (id, account_id, traits, first_seen, last_seen) "
                        "VALUES (:id, 'acc_old', '{}', :at, :at)"
                    ),
                    {"id": pid, "at": at},
                )
                conn.execute(
                    text(
                        "INSERT INTO list_members (list_id, profile_id, created_at) "
                        "VALUES (1, :id, :at)"
                    ),
                    {"id": pid, "at": at},
                )
        db.migrate()
        with db.session() as s:
            days = growth.by_day(s, 1, date(2026, 11, 1), date(2026, 11, 3))
            sources = growth.by_source(s, 1, date(2026, 11, 1), date(2026, 11, 3))
        assert [d["joins"] for d in days] == [0, 2, 1]
        assert sources == [
            {"source": "earlier", "label": "Before sources were recorded", "joins": 3, "leaves": 0}
        ]
    finally:
        db.dispose()

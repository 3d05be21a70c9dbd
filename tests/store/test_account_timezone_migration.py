"""Migration accounts_0001 (Account.timezone) on an existing store, on SQLite and PostgreSQL:
accounts made before it get "UTC" and keep their rows (users, keys); downgrading drops the
column and keeps them too."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import inspect, text

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


def _run(db: Database, action, revision: str) -> None:
    cfg = alembic_config()
    with db.engine.begin() as connection:
        cfg.attributes["connection"] = connection
        action(cfg, revision)


def test_existing_accounts_get_utc_and_keep_their_rows(fresh_url):
    db = Database(fresh_url)
    try:
        _run(db, command.upgrade, "0001")  # the store as it was before time zones
        assert "timezone" not in {c["name"] for c in inspect(db.engine).get_columns("accounts")}
        with db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO accounts (id, name, dimensions, created_at) "
                    "VALUES ('acc_old', 'Old Shop', '[]', CURRENT_TIMESTAMP)"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO users (account_id, email, password_hash, created_at) "
                    "VALUES ('acc_old', 'old@shop.test', 'x', CURRENT_TIMESTAMP)"
                )
            )
        db.migrate()  # every head, accounts_0001 among them
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT timezone FROM accounts")).scalar_one() == "UTC"
            assert conn.execute(text("SELECT count(*) FROM users")).scalar_one() == 1
        with db.engine.begin() as conn:  # new rows without a zone get the default too
            conn.execute(
                text(
                    "INSERT INTO accounts (id, name, dimensions, created_at) "
                    "VALUES ('acc_new', 'New', '[]', CURRENT_TIMESTAMP)"
                )
            )
            tz = conn.execute(text("SELECT timezone FROM accounts WHERE id = 'acc_new'"))
            assert tz.scalar_one() == "UTC"

        _run(db, command.downgrade, "accounts_0001@0001")
        assert "timezone" not in {c["name"] for c in inspect(db.engine).get_columns("accounts")}
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM users")).scalar_one() == 1
            assert conn.execute(text("SELECT count(*) FROM accounts")).scalar_one() == 2
    finally:
        db.dispose()

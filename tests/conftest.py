"""Shared fixtures: settings over a temporary var dir, and the store under test on BOTH
backends (SQLite, and the PostgreSQL server that scripts/services.sh starts)."""

from __future__ import annotations

import os
import sqlite3
import uuid
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text

from backend.config import Settings

TEST_SECRET = "test-secret-key-0123456789abcdef"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def _pg_admin_url() -> str | None:
    return os.environ.get("TALLY_TEST_POSTGRES_URL")


@contextmanager
def throwaway_pg_database(prefix: str = "tally_test"):
    """A new, empty PostgreSQL database's URL, dropped on exit. Without the test server:
    skipped, or failed under CI (where scripts/services.sh must have started it)."""
    admin = _pg_admin_url()
    if not admin:
        if IN_CI:
            pytest.fail(
                "TALLY_TEST_POSTGRES_URL is unset: scripts/services.sh must start PostgreSQL"
            )
        pytest.skip("PostgreSQL not started (run `make test`, or scripts/services.sh start)")
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin_engine = create_engine(
        admin.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )
    with admin_engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    base, _, _ = admin.rpartition("/")
    try:
        yield f"{base}/{name}".replace("postgresql://", "postgresql+psycopg://", 1)
    finally:
        with admin_engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin_engine.dispose()


@pytest.fixture(scope="session")
def pg_database():
    """One throwaway PostgreSQL database for the session, migrated once, dropped at the end."""
    from backend.store.db import Database

    with throwaway_pg_database() as url:
        db = Database(url)
        db.migrate()
        db.dispose()
        yield url


def _truncate_pg(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        tables = [
            r[0]
            for r in conn.execute(
                text(
                    "SELECT tablename FROM pg_tables WHERE schemaname='public' "
                    "AND tablename <> 'alembic_version'"
                )
            )
        ]
        if tables:
            conn.execute(
                text(
                    "TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"
                )
            )
    engine.dispose()


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory) -> str:
    """A SQLite file migrated once; db_url hands each test a copy. Migrating a new file costs
    ~0.07 s, and hundreds of tests start an app on one."""
    from backend.store.db import Database

    path = tmp_path_factory.mktemp("migrated") / "tally.sqlite3"
    db = Database(f"sqlite:///{path}")
    db.migrate()
    db.dispose()
    return str(path)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path) -> str:
    """The relational store under test: every test using it runs on both backends, each
    starting at the schema's head with no rows."""
    if request.param == "sqlite":
        path = tmp_path / "tally.sqlite3"
        # The backup API copies a consistent database, whatever its journal holds.
        src = sqlite3.connect(request.getfixturevalue("migrated_sqlite"))
        dst = sqlite3.connect(path)
        try:
            src.backup(dst)
        finally:
            src.close()
            dst.close()
        return f"sqlite:///{path}"
    url = request.getfixturevalue("pg_database")
    _truncate_pg(url)
    return url


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'tally.sqlite3'}"


def make_settings(tmp_path, db_url: str, **env) -> Settings:
    environ = {
        "TALLY_VAR_DIR": str(tmp_path / "var"),
        "TALLY_DATABASE_URL": db_url,
        "TALLY_SECRET_KEY": TEST_SECRET,
        **env,
    }
    return Settings.from_env(environ, env_file=None)


@pytest.fixture
def settings(tmp_path, db_url) -> Settings:
    return make_settings(tmp_path, db_url)


@pytest.fixture
def app(settings):
    from app import create_app

    flask_app = create_app(settings)
    flask_app.config["TESTING"] = True
    yield flask_app
    flask_app.extensions["tally"].close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runtime(app):
    return app.extensions["tally"]


@pytest.fixture
def make_account(runtime):
    """Create an account (with its keys and login) in the app's store."""
    from backend.accounts.service import create_account

    def make(name: str = "Shop", email: str | None = None, password: str = "correct horse battery"):
        with runtime.db.session() as s:
            return create_account(s, name, email=email, password=password)

    return make


@pytest.fixture
def account(make_account):
    return make_account("Acme Store", email="owner@acme.test")


@pytest.fixture
def db(db_url):
    """A migrated Database on the store under test (both backends)."""
    from backend.store.db import Database

    database = Database(db_url)
    database.migrate()
    yield database
    database.dispose()

"""Engine and session factory for the relational store (SQLite by default, PostgreSQL too)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker


def utcnow() -> datetime:
    """Naive UTC now: both backends store naive UTC timestamps the same way."""
    return datetime.now(UTC).replace(tzinfo=None)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    # WAL lets readers (dashboards) run while the aggregator writes. FULL: a commit is on
    # disk when it returns. The aggregator deletes a folded spool segment and applies its
    # counts only after the commit that records them; under NORMAL a power cut could undo
    # that commit after the segment was gone (events lost) or after the counts were applied
    # (counted twice). It costs one WAL fsync per commit: a pass of up to 50k events, or a
    # saved flow, form or dashboard (docs/ingestion.md).
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    # 64 MiB of page cache (default 2 MiB): the aggregator inserts into three indexes of a
    # growing events table; with the default cache each insert re-reads index pages (a
    # third slower at 400k events, worse as the table grows: bench/ingest.py).
    cur.execute("PRAGMA cache_size=-65536")
    cur.close()


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            try:
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise DatabaseUnreachable(
                    f"cannot create the folder of the SQLite database {path} ({exc.strerror}). "
                    "Point TALLY_DATABASE_URL (or TALLY_VAR_DIR) at a folder Tally may write to."
                ) from None
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)


@contextmanager
def planned_afresh(session: Session) -> Iterator[None]:
    """On PostgreSQL, run the session's statements unprepared, each planned for the tables as
    they are now. psycopg prepares a statement on its fifth run, and PostgreSQL may then keep
    a generic plan made while a table was small (a sequential scan) until an ANALYZE: the
    aggregator's lookups (dedup keys, profiles) slowed folding 1.5x-7x that way. No-op on
    SQLite. The connection's setting is restored after."""
    dbapi = session.connection().connection.driver_connection
    if not hasattr(dbapi, "prepare_threshold"):
        yield
        return
    before = dbapi.prepare_threshold
    dbapi.prepare_threshold = None
    try:
        yield
    finally:
        dbapi.prepare_threshold = before


class DatabaseUnreachable(RuntimeError):
    """The relational store cannot be reached; the message says where and what to do."""


# SQLite words for a store that cannot answer now; its OperationalError also means bad SQL.
_SQLITE_UNAVAILABLE = (
    "database is locked",
    "unable to open",
    "disk i/o error",
    "database or disk is full",
    "readonly database",
)


def is_unavailable(exc: BaseException) -> bool:
    """Whether `exc` says the database is down or busy (worth a retry), not a bug."""
    if isinstance(exc, DatabaseUnreachable):
        return True
    if isinstance(exc, OperationalError):
        exc = exc.orig or exc
    if isinstance(exc, sqlite3.OperationalError):
        return any(words in str(exc).lower() for words in _SQLITE_UNAVAILABLE)
    import psycopg  # installed with Tally; its OperationalError is the connection's

    return isinstance(exc, psycopg.OperationalError)


class Database:
    """One engine and its session factory; `with db.session() as s:` commits on success."""

    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        # Every API request checks its key: on PostgreSQL the engine's pool pinged the
        # connection before the query and rolled back after it, three round trips for one
        # read. This pool hands out autocommit connections as they are (one round trip);
        # one found dead is replaced once (backend/accounts/keys.py).
        self.lookups = (
            self.engine
            if self.is_sqlite
            else create_engine(
                url,
                isolation_level="AUTOCOMMIT",
                pool_reset_on_return=None,
                pool_size=5,
                max_overflow=10,
            )
        )

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def migrate(self) -> None:
        from backend.store.migrate import upgrade

        self.check_reachable()
        upgrade(self.engine)

    def check_reachable(self) -> None:
        """Raise DatabaseUnreachable, saying what to do, when no connection can be made."""
        try:
            with self.engine.connect():
                pass
        except OperationalError as exc:
            reason = " ".join(line.strip() for line in str(exc.orig or exc).splitlines())
            raise DatabaseUnreachable(
                f"cannot connect to the database at {self.engine.url.render_as_string()} "
                f"({reason.rstrip('.')}). Start it, or point TALLY_DATABASE_URL at one that runs "
                "(README.md, Configuration)."
            ) from None

    def dispose(self) -> None:
        if self.lookups is not self.engine:
            self.lookups.dispose()
        self.engine.dispose()

"""Lists beyond membership (backend/store/models.py holds List and ListMember): joins and
leaves counted by hour and source (growth, where members came from), and CSV imports with
their progress and rejected rows (migration lists_0001)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.store.db import utcnow
from backend.store.models import Base, BigId


class ListGrowth(Base):
    """Joins and leaves of a list in one UTC hour from one source ("form:12", "flow:3",
    "import:7", "api", "console", "copy", "earlier": before this table existed). Counts,
    not people: a chart over a million members reads a few hundred rows."""

    __tablename__ = "list_growth"
    __table_args__ = (UniqueConstraint("list_id", "hour", "source"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("lists.id", ondelete="CASCADE"))
    hour: Mapped[datetime] = mapped_column()
    source: Mapped[str] = mapped_column(String(60))
    joins: Mapped[int] = mapped_column(Integer, default=0)
    leaves: Mapped[int] = mapped_column(Integer, default=0)


class ListImport(Base):
    """One CSV upload into a list. Rows run in chunks; each chunk commits with `done`, so
    an import that stopped resumes at the row after the last chunk."""

    __tablename__ = "list_imports"
    __table_args__ = (Index("ix_list_imports_list", "list_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    list_id: Mapped[int] = mapped_column(ForeignKey("lists.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(200), default="")
    consent: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(16), default="queued")  # running|done|failed
    total: Mapped[int] = mapped_column(Integer, default=0)  # data rows in the file
    done: Mapped[int] = mapped_column(Integer, default=0)  # rows handled so far
    joined: Mapped[int] = mapped_column(Integer, default=0)  # new members
    existing: Mapped[int] = mapped_column(Integer, default=0)  # already members
    created: Mapped[int] = mapped_column(Integer, default=0)  # new profiles
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)  # heartbeat of the runner
    finished_at: Mapped[datetime | None] = mapped_column(default=None)


class ListImportReject(Base):
    """A row an import left out, with its 1-based data row number and why."""

    __tablename__ = "list_import_rejects"
    __table_args__ = (Index("ix_list_import_rejects_import", "import_id", "row"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("list_imports.id", ondelete="CASCADE"))
    row: Mapped[int] = mapped_column(Integer)
    email: Mapped[str] = mapped_column(String(400), default="")
    reason: Mapped[str] = mapped_column(String(200))


class ListOutbox(Base):
    """The events of list joins not yet handed to ingestion (migration lists_0002): written
    in the join's transaction, spooled right after its commit and deleted; the jobs process
    re-spools a row left behind (a crash, a spool that failed). Keyed by a random id, never
    a reused one, so whoever spools a row knows it is the row it wrote."""

    __tablename__ = "list_outbox"
    __table_args__ = (Index("ix_list_outbox_created", "created_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    messages: Mapped[list[Any]] = mapped_column()
    ip: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

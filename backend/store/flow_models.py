"""Models of flows: definitions and their versions, runs of profiles through them, the
persisted step jobs the scheduler executes, and the recorded outcome of every action."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.store.db import utcnow
from backend.store.models import Base, BigId


class Flow(Base):
    __tablename__ = "flows"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16), default="draft")  # draft | live | paused
    version: Mapped[int] = mapped_column(default=1)
    definition: Mapped[dict[str, Any]] = mapped_column()
    reentry: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class FlowVersion(Base):
    __tablename__ = "flow_versions"
    __table_args__ = (UniqueConstraint("flow_id", "version"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    flow_id: Mapped[int] = mapped_column(ForeignKey("flows.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column()
    definition: Mapped[dict[str, Any]] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FlowRun(Base):
    """One profile's journey through one flow, started by one triggering event."""

    __tablename__ = "flow_runs"
    __table_args__ = (
        # Without re-entry a profile enters a flow once: the key makes it so.
        UniqueConstraint("flow_id", "profile_id", "entry_key", name="uq_flow_runs_entry"),
        # Erasing a profile (backend/privacy/erase.py) finds its runs by profile_id.
        Index("ix_flow_runs_profile", "profile_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    flow_id: Mapped[int] = mapped_column(ForeignKey("flows.id", ondelete="CASCADE"), index=True)
    account_id: Mapped[str] = mapped_column(String(32))
    profile_id: Mapped[int] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"))
    entry_key: Mapped[str] = mapped_column(String(200), default="")  # "" or the event id
    event: Mapped[dict[str, Any]] = mapped_column(default=dict)  # the triggering event
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | done | failed
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FlowJob(Base):
    """A step due at `due_at`. Claimed by setting status=running before any side effect,
    so a step is never run twice: a crash mid-step leaves it `interrupted`, not re-run."""

    __tablename__ = "flow_jobs"
    __table_args__ = (Index("ix_flow_jobs_due", "status", "due_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("flow_runs.id", ondelete="CASCADE"), index=True)
    flow_id: Mapped[int] = mapped_column(index=True)
    node_id: Mapped[str] = mapped_column(String(100))
    after_node: Mapped[str | None] = mapped_column(String(100), default=None)  # delay waited at
    due_at: Mapped[datetime] = mapped_column()
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    claimed_by: Mapped[str | None] = mapped_column(String(100), default=None)
    claimed_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)


class FlowAction(Base):
    """What happened at a node for a run: its outcome and details (for stats and debugging)."""

    __tablename__ = "flow_actions"
    __table_args__ = (Index("ix_flow_actions_flow_node", "flow_id", "node_id", "outcome"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    flow_id: Mapped[int] = mapped_column()
    run_id: Mapped[int] = mapped_column(ForeignKey("flow_runs.id", ondelete="CASCADE"))
    node_id: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(32))
    outcome: Mapped[str] = mapped_column(String(32))  # entered, yes, no, a, b, sent, failed...
    detail: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(default=utcnow)

"""Segments: a saved definition (AND of OR-groups of conditions), its current members, and
every join and leave (so counts over time and flow triggers can read them)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.store.db import utcnow
from backend.store.models import Base, BigId


class Segment(Base):
    __tablename__ = "segments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    definition: Mapped[dict[str, Any]] = mapped_column()  # {"conditions": [[COND, ...], ...]}
    count: Mapped[int] = mapped_column(default=0)
    evaluated_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class SegmentMember(Base):
    """Current membership: one row per (segment, profile) while the profile meets it."""

    __tablename__ = "segment_members"
    __table_args__ = (
        UniqueConstraint("segment_id", "profile_id", name="uq_segment_members"),
        Index("ix_segment_members_profile", "profile_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    segment_id: Mapped[int] = mapped_column(ForeignKey("segments.id", ondelete="CASCADE"))
    profile_id: Mapped[int] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"))
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)


class SegmentChange(Base):
    """A join (joined=True) or a leave, when it was decided."""

    __tablename__ = "segment_changes"
    __table_args__ = (
        Index("ix_segment_changes_segment_at", "segment_id", "at"),
        # Erasing a profile (backend/privacy/erase.py) finds its rows by profile_id.
        Index("ix_segment_changes_profile", "profile_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    segment_id: Mapped[int] = mapped_column(ForeignKey("segments.id", ondelete="CASCADE"))
    profile_id: Mapped[int] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"))
    joined: Mapped[bool] = mapped_column()
    at: Mapped[datetime] = mapped_column(default=utcnow)

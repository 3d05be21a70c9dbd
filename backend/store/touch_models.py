"""What changed about profiles without an event, for the live segment watcher
(backend/store/touches.py): profiles touched (a list joined or left, an e-mail status
changed), and a per-account generation of the stored events (bumped when events change
owner or vanish, so caches of event columns know to reload)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.store.db import utcnow
from backend.store.models import Base, BigId


class ProfileTouch(Base):
    """One profile to re-evaluate; deleted once the watcher has applied it. No foreign key
    to profiles: a touch for an erased profile must survive it (its memberships go)."""

    __tablename__ = "profile_touches"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    profile_id: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class EventGeneration(Base):
    """Bumped whenever an account's stored events change owner (a merge) or vanish (an
    erase): appended rows are seen by the id watermark, rewritten ones only through this."""

    __tablename__ = "event_generations"

    account_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    generation: Mapped[int] = mapped_column(BigInteger, default=0)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)

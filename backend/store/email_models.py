"""Tables of the e-mail capability (backend/email/). The per-profile status columns live
on Profile itself (backend/store/models.py), so audiences filter on them in one query."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from backend.store.db import utcnow
from backend.store.models import Base, BigId

EMAIL_STATUSES = ("subscribed", "never_subscribed", "unsubscribed", "bounced", "complained")


class EmailBounce(Base):
    """A delivery status notification or complaint the bounce listener understood."""

    __tablename__ = "email_bounces"
    __table_args__ = (
        Index("ix_email_bounces_account_at", "account_id", "received_at"),
        Index("ix_email_bounces_profile", "profile_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    profile_id: Mapped[int] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(12))  # hard | soft | complaint
    status: Mapped[str | None] = mapped_column(String(16), default=None)  # e.g. 5.1.1
    diagnostic: Mapped[str | None] = mapped_column(String(500), default=None)
    source: Mapped[dict[str, Any]] = mapped_column(default=dict)  # {"flow", "node"} | {"campaign"}
    received_at: Mapped[datetime] = mapped_column(default=utcnow)

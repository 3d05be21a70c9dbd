"""Scheduled report e-mails: which dashboard goes to whom, how often, and when next."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from backend.store.db import utcnow
from backend.store.models import Base, BigId


class ReportSchedule(Base):
    __tablename__ = "report_schedules"
    __table_args__ = (Index("ix_report_schedules_due", "next_run_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    dashboard_id: Mapped[int] = mapped_column(
        ForeignKey("dashboards.id", ondelete="CASCADE"), unique=True
    )
    frequency: Mapped[str] = mapped_column(String(16))  # daily | weekly | monthly
    hour: Mapped[int] = mapped_column(default=8)  # local hour of sending, account's zone
    recipients: Mapped[list[Any]] = mapped_column()
    next_run_at: Mapped[datetime] = mapped_column()
    last_sent_at: Mapped[datetime | None] = mapped_column(default=None)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

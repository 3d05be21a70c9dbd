"""Models of campaigns: the campaign (what, to whom, when, its state) and its recipients, one
row per (campaign, profile), fixed when sending starts. A recipient's state is the sender's
ledger: pending -> sending -> sent | failed | unknown, or skipped / suppressed at the start."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.store.db import utcnow
from backend.store.models import Base, BigId

# Recipient states. "sending": claimed by a sender and maybe handed to SMTP; after a crash
# the sender's journal tells which of them were handed (-> unknown) and which were not
# (-> pending again): backend/campaigns/journal.py.
PENDING, SENDING, SENT, FAILED, SKIPPED, UNKNOWN, SUPPRESSED = (
    "pending",
    "sending",
    "sent",
    "failed",
    "skipped",
    "unknown",
    "suppressed",
)
HOLD = "W"  # the variant of recipients waiting for an A/B test's winner


class Campaign(Base):
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(Text, default="")
    preview_text: Mapped[str | None] = mapped_column(Text, default=None)
    body: Mapped[str] = mapped_column(Text, default="")
    audience: Mapped[dict[str, Any]] = mapped_column(default=dict)
    smart_sending_hours: Mapped[int] = mapped_column(default=16)
    ab: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    # draft | scheduled | sending | paused | sent | cancelled
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    send_at: Mapped[datetime | None] = mapped_column(default=None)  # naive UTC
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    test_done_at: Mapped[datetime | None] = mapped_column(default=None)  # A/B test group sent
    winner: Mapped[str | None] = mapped_column(String(1), default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)  # why it paused
    retry_at: Mapped[datetime | None] = mapped_column(default=None)  # SMTP down: try again
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class CampaignRecipient(Base):
    __tablename__ = "campaign_recipients"
    __table_args__ = (
        # Exactly one e-mail per (campaign, profile): the key makes a second row impossible.
        UniqueConstraint("campaign_id", "profile_id", name="uq_campaign_recipients_profile"),
        Index("ix_campaign_recipients_state", "campaign_id", "state", "id"),
        Index("ix_campaign_recipients_sent", "profile_id", "sent_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id", ondelete="CASCADE"))
    profile_id: Mapped[int] = mapped_column(BigId)
    email: Mapped[str] = mapped_column(String(320))
    domain: Mapped[str] = mapped_column(String(255), default="")
    variant: Mapped[str] = mapped_column(String(1), default="A")
    state: Mapped[str] = mapped_column(String(16), default=PENDING)
    reply: Mapped[str | None] = mapped_column(Text, default=None)  # the SMTP reply
    sent_at: Mapped[datetime | None] = mapped_column(default=None)


class FlowSend(Base):
    """A flow e-mail node's send to one profile on one journey: the campaign engine's ledger
    for flows (backend/campaigns/flow_sends.py). The flow job's claim is its `sending`; the
    row is written with the step's outcome, or by recovery from the journal after a kill."""

    __tablename__ = "flow_sends"
    __table_args__ = (
        UniqueConstraint("job_id", name="uq_flow_sends_job"),
        Index("ix_flow_sends_profile_sent", "profile_id", "sent_at"),
        Index("ix_flow_sends_flow_node", "flow_id", "node_id", "state"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(String(32))
    flow_id: Mapped[int] = mapped_column(BigId)
    node_id: Mapped[str] = mapped_column(String(100))
    run_id: Mapped[int] = mapped_column(BigId)
    job_id: Mapped[int] = mapped_column(BigId)
    profile_id: Mapped[int] = mapped_column(BigId)
    email: Mapped[str] = mapped_column(String(320), default="")
    state: Mapped[str] = mapped_column(String(16))
    reply: Mapped[str | None] = mapped_column(Text, default=None)  # the SMTP reply or why not
    message_key: Mapped[str | None] = mapped_column(String(200), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(default=None)

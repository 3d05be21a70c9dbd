"""Typed models of the relational store. Timestamps are naive UTC."""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from backend.store.db import utcnow
from backend.store.dedup import default_dedup_key

# BigInteger ids that still autoincrement on SQLite (which only does so for INTEGER).
BigId = BigInteger().with_variant(Integer(), "sqlite")


def new_account_id() -> str:
    return "acc_" + secrets.token_hex(8)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Account(Base):
    __tablename__ = "accounts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_account_id)
    name: Mapped[str] = mapped_column(String(200))
    # Event properties counted as dimensions besides country (e.g. utm_campaign, $flow).
    dimensions: Mapped[list[Any]] = mapped_column(default=list)
    # IANA zone the console shows days, "today" and report e-mail hours in (see
    # backend/accounts/timezones.py); counters stay in UTC hours whatever it is.
    timezone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")
    # ISO 4217 code that {{ x | money }} prints amounts in (backend/accounts/currencies.py).
    currency: Mapped[str] = mapped_column(String(3), default="USD", server_default="USD")
    # How many different popups a storefront visitor sees a day (1-10; None: no limit),
    # served with /client/forms to embed.js (backend/forms/popup_cap.py).
    popups_per_day: Mapped[int | None] = mapped_column(default=2, server_default="2")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    users: Mapped[list[User]] = relationship(back_populates="account")
    keys: Mapped[list[ApiKey]] = relationship(back_populates="account")


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    account: Mapped[Account] = relationship(back_populates="users")


class ApiKey(Base):
    """A key is stored as its SHA-256; only public keys (meant for pages) also keep the text."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))  # write | public | private
    label: Mapped[str] = mapped_column(String(100), default="")
    prefix: Mapped[str] = mapped_column(String(24))  # first characters, for display
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    public_text: Mapped[str | None] = mapped_column(String(80), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)

    account: Mapped[Account] = relationship(back_populates="keys")


class LoginAttempt(Base):
    """Failed logins, for rate limiting across worker processes."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    subject: Mapped[str] = mapped_column(String(400), index=True)  # "ip:..." or "email:..."
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class Profile(Base):
    __tablename__ = "profiles"
    __table_args__ = (
        UniqueConstraint("account_id", "external_id"),
        UniqueConstraint("account_id", "email"),
        Index("ix_profiles_account_email_status", "account_id", "email_status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    external_id: Mapped[str | None] = mapped_column(String(200), default=None)  # Segment userId
    email: Mapped[str | None] = mapped_column(String(320), default=None)
    traits: Mapped[dict[str, Any]] = mapped_column(default=dict)
    country: Mapped[str | None] = mapped_column(String(2), default=None)
    first_seen: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(default=utcnow)
    # Marketing e-mail consent (backend/email/suppression.py; migration email_0001):
    # subscribed | never_subscribed | unsubscribed | bounced | complained.
    email_status: Mapped[str] = mapped_column(
        String(20), default="never_subscribed", server_default="never_subscribed"
    )
    email_status_at: Mapped[datetime | None] = mapped_column(default=None)
    email_status_reason: Mapped[str | None] = mapped_column(String(300), default=None)
    email_soft_bounces: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class ProfileAlias(Base):
    """Anonymous ids seen for a profile; identify merges them into the known profile."""

    __tablename__ = "profile_aliases"
    __table_args__ = (UniqueConstraint("account_id", "anonymous_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    anonymous_id: Mapped[str] = mapped_column(String(200))
    profile_id: Mapped[int] = mapped_column(
        ForeignKey("profiles.id", ondelete="CASCADE"), index=True
    )


class List(Base):
    __tablename__ = "lists"
    __table_args__ = (UniqueConstraint("account_id", "name"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ListMember(Base):
    __tablename__ = "list_members"
    __table_args__ = (
        UniqueConstraint("list_id", "profile_id"),
        Index("ix_list_members_profile", "profile_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("lists.id", ondelete="CASCADE"))
    profile_id: Mapped[int] = mapped_column(ForeignKey("profiles.id", ondelete="CASCADE"))
    consent_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Event(Base):
    """Every accepted message, once (unique per account and messageId: the dedup record).

    track -> metric = event name; page -> "Viewed Page"; screen -> "Viewed Screen";
    identify -> "$identify" (internal metrics start with "$" and are not listed).
    """

    __tablename__ = "events"
    __table_args__ = (
        # The dedup record: a compact key, and exact ids for the rare key collision
        # (backend/store/dedup.py).
        Index("uq_events_dedup_key", "dedup_key", unique=True),
        Index(
            "uq_events_collided",
            "account_id",
            "message_id",
            unique=True,
            sqlite_where=text("dedup_key IS NULL"),
            postgresql_where=text("dedup_key IS NULL"),
        ),
        Index("ix_events_metric_ts", "account_id", "metric", "ts"),
        Index("ix_events_profile_metric_ts", "profile_id", "metric", "ts"),
        # What a predictions fit reads, orders only (migration predictions_0002).
        Index(
            "ix_events_orders",
            "account_id",
            "profile_id",
            "ts",
            "revenue",
            sqlite_where=text("metric = 'Placed Order'"),
            postgresql_where=text("metric = 'Placed Order'"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(String(32))
    message_id: Mapped[str] = mapped_column(String(200))
    # None only for a message whose key another message already has (see dedup.py).
    dedup_key: Mapped[int | None] = mapped_column(BigInteger, default=default_dedup_key)
    profile_id: Mapped[int | None] = mapped_column(
        ForeignKey("profiles.id", ondelete="CASCADE"), default=None
    )
    metric: Mapped[str] = mapped_column(String(200))
    ts: Mapped[datetime] = mapped_column()  # event time, naive UTC
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    country: Mapped[str | None] = mapped_column(String(2), default=None)
    revenue: Mapped[float | None] = mapped_column(default=None)
    properties: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Metric(Base):
    """Per-account metric catalogue, kept by the aggregator in the same transaction as events."""

    __tablename__ = "metrics"

    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger, default=0)
    revenue: Mapped[float] = mapped_column(default=0.0)
    first_seen: Mapped[datetime] = mapped_column()
    last_seen: Mapped[datetime] = mapped_column()


class PendingFlush(Base):
    """Counter deltas decided in the same transaction as their events, applied to the counter
    store afterwards (idempotently, by id) and then deleted: the exactly-once ledger."""

    __tablename__ = "pending_flushes"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    deltas: Mapped[list[Any]] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SpoolOffset(Base):
    """How far the aggregator has consumed each spool segment (committed with its events)."""

    __tablename__ = "spool_offsets"

    segment: Mapped[str] = mapped_column(String(200), primary_key=True)
    offset: Mapped[int] = mapped_column(BigInteger, default=0)
    done: Mapped[bool] = mapped_column(default=False)


class Dashboard(Base):
    """A dashboard's JSON definition (name, cards with position and size, filters)."""

    __tablename__ = "dashboards"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    definition: Mapped[dict[str, Any]] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

"""Models of forms: the editable draft, its saved versions, the published (live) copy,
submissions (for double opt-in and the audit of consent) and submit attempts per IP."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from backend.store.db import utcnow
from backend.store.models import Base, BigId


class Form(Base):
    __tablename__ = "forms"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))  # popup | flyout | embed
    definition: Mapped[dict[str, Any]] = mapped_column()  # the draft being edited
    version: Mapped[int] = mapped_column(default=1)  # of the draft
    # The live copy: storefronts only ever see a published version, never a draft.
    published: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    published_version: Mapped[int | None] = mapped_column(default=None)
    published_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class FormVersion(Base):
    __tablename__ = "form_versions"
    __table_args__ = (UniqueConstraint("form_id", "version"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("forms.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column()
    definition: Mapped[dict[str, Any]] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FormSubmission(Base):
    """One accepted submission; with double opt-in it waits here until confirmed."""

    __tablename__ = "form_submissions"
    __table_args__ = (
        Index("ix_form_submissions_form", "form_id", "created_at"),
        # Erasing a profile (backend/privacy/erase.py) finds its rows by profile_id.
        Index("ix_form_submissions_profile", "profile_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), index=True
    )
    form_id: Mapped[int] = mapped_column(ForeignKey("forms.id", ondelete="CASCADE"))
    form_version: Mapped[int] = mapped_column()
    profile_id: Mapped[int | None] = mapped_column(
        ForeignKey("profiles.id", ondelete="SET NULL"), default=None
    )
    email: Mapped[str] = mapped_column(String(320))
    values: Mapped[dict[str, Any]] = mapped_column()
    visitor: Mapped[str] = mapped_column(String(200))  # anonymousId of the browser
    consent_at: Mapped[datetime | None] = mapped_column(default=None)
    status: Mapped[str] = mapped_column(String(16), default="subscribed")  # | pending
    confirmed_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FormAttempt(Base):
    """Submit attempts per client address, for a rate limit shared by all worker processes."""

    __tablename__ = "form_attempts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    subject: Mapped[str] = mapped_column(String(100), index=True)  # "ip:<address>"
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)

"""Privacy requests (backend/privacy/): the audit of every export and erasure, and the
hashes of erased addresses, so a deleted person is never e-mailed again by accident."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from backend.store.db import utcnow
from backend.store.models import Base, BigId


class PrivacyAudit(Base):
    """Who exported or erased which profile, and when. Holds the profile's id, never its
    address or traits (an erased person must not live on in the audit)."""

    __tablename__ = "privacy_audit"
    __table_args__ = (Index("ix_privacy_audit_account_at", "account_id", "at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(16))  # export | delete
    profile_id: Mapped[int] = mapped_column(BigId)  # no foreign key: it outlives the profile
    actor_kind: Mapped[str] = mapped_column(String(16))  # user | api_key
    actor_id: Mapped[str] = mapped_column(String(64))  # the user's or the key's id
    actor: Mapped[str] = mapped_column(String(320))  # the user's login, or the key's label
    at: Mapped[datetime] = mapped_column(default=utcnow)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)  # rows deleted per table


class ErasedAddress(Base):
    """An erased profile's e-mail address as SHA-256 of "account:address": enough to know
    the address again when it comes back (an import, a form), too little to read it."""

    __tablename__ = "erased_addresses"

    account_id: Mapped[str] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True
    )
    address_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    erased_at: Mapped[datetime] = mapped_column(default=utcnow)


def address_hash(account_id: str, email: str) -> str:
    """SHA-256 of "account:address" (trimmed, lower case), hex: what ErasedAddress keeps."""
    text = f"{account_id}:{(email or '').strip().lower()}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_CACHE = "tally.erased"  # Session.info key: {account_id: frozenset of hashes | None}
_LOAD_AT_MOST = 20_000  # beyond this many erasures an account is asked address by address


def _hashes(session: Session, account_id: str) -> frozenset[str] | None:
    """The account's erased hashes, read once per session (a campaign batch, a flow pass);
    None when there are too many to hold."""
    cache = session.info.setdefault(_CACHE, {})
    if account_id not in cache:
        hashes = session.scalars(
            select(ErasedAddress.address_hash)
            .where(ErasedAddress.account_id == account_id)
            .limit(_LOAD_AT_MOST + 1)
        ).all()
        cache[account_id] = frozenset(hashes) if len(hashes) <= _LOAD_AT_MOST else None
    return cache[account_id]


def erased_checker(session: Session, account_id: str) -> Callable[[str | None], bool]:
    """email -> whether it belongs to a person erased from the account: no query an e-mail
    (what a campaign batch calls for each recipient)."""
    known = _hashes(session, account_id)
    if known is None:
        return lambda email: is_erased(session, account_id, email)
    if not known:
        return lambda email: False
    return lambda email: bool(email) and address_hash(account_id, email) in known


def is_erased(session: Session, account_id: str, email: str | None) -> bool:
    """Whether `email` belongs to a person erased from the account."""
    if not email:
        return False
    known = _hashes(session, account_id)
    digest = address_hash(account_id, email)
    if known is not None:
        return digest in known
    return session.get(ErasedAddress, (account_id, digest)) is not None

"""Who exported or erased which profile, and when: one PrivacyAudit row each, written in
the same transaction as the erasure itself (so there is never one without the other)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.store.privacy_models import PrivacyAudit

PAGE = 100


@dataclass(frozen=True)
class Actor:
    """Who asks: a console user (kind "user", their id and login) or an API key (kind
    "api_key", its id and label with its first characters; never the key itself)."""

    kind: str
    id: str
    name: str


def record(s: Session, account_id: str, action: str, profile_id: int, actor: Actor, **detail):
    s.add(
        PrivacyAudit(
            account_id=account_id,
            action=action,
            profile_id=profile_id,
            actor_kind=actor.kind,
            actor_id=str(actor.id)[:64],
            actor=(actor.name or "")[:320],
            detail=detail,
        )
    )


def entries(s: Session, account_id: str, limit: int = PAGE) -> list[dict]:
    """The account's audit, newest first: {"id", "action", "profile_id", "actor": {"kind",
    "id", "name"}, "at", "detail"}."""
    rows = s.scalars(
        select(PrivacyAudit)
        .where(PrivacyAudit.account_id == account_id)
        .order_by(PrivacyAudit.at.desc(), PrivacyAudit.id.desc())
        .limit(max(1, min(int(limit), 1000)))
    )
    return [
        {
            "id": r.id,
            "action": r.action,
            "profile_id": r.profile_id,
            "actor": {"kind": r.actor_kind, "id": r.actor_id, "name": r.actor},
            "at": r.at.isoformat() + "Z",
            "detail": r.detail or {},
        }
        for r in rows
    ]

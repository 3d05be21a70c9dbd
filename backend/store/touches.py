"""Changes the live segment watcher cannot see through new events (docs/segments.md).

- `touch`: profiles whose list memberships or e-mail status changed without an event.
  The watcher (backend/segments/live.py) re-evaluates them against the account's segments
  within a step (seconds) and deletes the rows it applied.
- `events_rewritten`: stored events changed owner (an identify merge moves an anonymous
  profile's events) or vanished (a profile erased). The id watermark only sees rows
  appended, so this bumps the account's generation; the segment column cache reloads the
  account's columns when it moved.

Both write in the caller's transaction: they take effect when it commits, and vanish with
it when it rolls back.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from backend.store.db import utcnow
from backend.store.touch_models import EventGeneration, ProfileTouch

CHUNK = 5000


def touch(session: Session, account_id: str, profile_ids: Iterable[int]) -> None:
    """Ask the watcher to re-evaluate these profiles of the account."""
    now = utcnow()
    ids = sorted({int(p) for p in profile_ids if p is not None})
    for i in range(0, len(ids), CHUNK):
        session.execute(
            insert(ProfileTouch),
            [{"account_id": account_id, "profile_id": p, "at": now} for p in ids[i : i + CHUNK]],
        )


def events_rewritten(session: Session, account_id: str) -> None:
    """Bump the account's event generation (stored events changed owner or vanished)."""
    now = utcnow()
    done = session.execute(
        update(EventGeneration)
        .where(EventGeneration.account_id == account_id)
        .values(generation=EventGeneration.generation + 1, changed_at=now)
    ).rowcount
    if done:
        return
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as upsert
    else:
        from sqlalchemy.dialects.sqlite import insert as upsert
    stmt = upsert(EventGeneration).values(account_id=account_id, generation=1, changed_at=now)
    session.execute(  # two first bumps at once: the second one still counts
        stmt.on_conflict_do_update(
            index_elements=[EventGeneration.account_id],
            set_={"generation": EventGeneration.generation + 1, "changed_at": now},
        )
    )


def generation(session: Session, account_id: str) -> int:
    """The account's event generation (0 until events were first rewritten)."""
    return (
        session.scalar(
            select(EventGeneration.generation).where(EventGeneration.account_id == account_id)
        )
        or 0
    )


def generations(session: Session) -> dict[str, int]:
    """Every account's generation that ever moved."""
    return dict(session.execute(select(EventGeneration.account_id, EventGeneration.generation)))


def pending(session: Session, limit: int = 50_000) -> list[tuple[int, str, int]]:
    """The oldest touches not applied yet: (touch id, account id, profile id)."""
    stmt = (
        select(ProfileTouch.id, ProfileTouch.account_id, ProfileTouch.profile_id)
        .order_by(ProfileTouch.id)
        .limit(limit)
    )
    return [tuple(r) for r in session.execute(stmt)]


def forget(session: Session, touch_ids: Iterable[int]) -> None:
    """Delete touches once applied (in the transaction that applied them)."""
    ids = sorted(touch_ids)
    for i in range(0, len(ids), CHUNK):
        session.execute(delete(ProfileTouch).where(ProfileTouch.id.in_(ids[i : i + CHUNK])))

"""Erase one person: the profile and every row about it, in one transaction, with the
address kept only as a hash (so a later import cannot make it mailable again) and an audit
entry naming who asked and the profile's id, never the address.

Against a concurrent ingestion pass for the same person: the profile row is locked first
(SELECT ... FOR UPDATE on PostgreSQL; SQLite has one writer at a time). A pass that reached
the profile before the lock finishes first and its events are erased with the rest; a pass
after it finds no profile, and one caught in between fails on the events' foreign key to
the profile and is retried whole (its spool offsets were not committed), when it resolves
the person afresh: a new event makes a new profile (docs/privacy.md), whose address the
erased hash keeps from marketing e-mail."""

from __future__ import annotations

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from backend.privacy import tables
from backend.privacy.audit import Actor, record
from backend.privacy.export import find
from backend.store.models import Profile
from backend.store.privacy_models import ErasedAddress, address_hash
from backend.store.segment_models import Segment, SegmentMember
from backend.store.touches import events_rewritten


def erase_profile(s: Session, account_id: str, profile_id: int, actor: Actor) -> dict:
    """Delete the profile and its rows; returns {"profile_id", "deleted": {table: rows}}.
    NotFound for a profile of another account (nothing changes)."""
    p = find(s, account_id, profile_id, lock=True)
    pid, address = p.id, p.email
    deleted: dict[str, int] = {}

    def gone(table_name: str, result) -> None:
        if result.rowcount:
            deleted[table_name] = deleted.get(table_name, 0) + result.rowcount

    # Segment sizes drop now, as the watcher would have dropped them (members go below).
    in_segments = select(SegmentMember.segment_id).where(SegmentMember.profile_id == pid)
    s.execute(
        update(Segment)
        .where(Segment.id.in_(in_segments), Segment.count > 0)
        .values(count=Segment.count - 1)
        .execution_options(synchronize_session=False)
    )
    runs = tables.table("flow_runs")
    run_ids = select(runs.c.id).where(runs.c.profile_id == pid)
    for t in tables.run_tables():  # waiting flow steps and the actions taken
        gone(t.name, s.execute(delete(t).where(t.c.run_id.in_(run_ids))))
    for t in tables.profile_tables():
        if t.name == "events":
            continue  # last, the biggest
        gone(t.name, s.execute(delete(t).where(t.c.profile_id == pid)))
    if address:
        for t in tables.address_tables():
            where = (t.c.account_id == account_id) & (func.lower(t.c.email) == address.lower())
            gone(t.name, s.execute(delete(t).where(where)))
    events = tables.table("events")
    gone("events", s.execute(delete(events).where(events.c.profile_id == pid)))
    s.expunge(p)
    gone("profiles", s.execute(delete(Profile).where(Profile.id == pid)))
    if deleted.get("events"):
        events_rewritten(s, account_id)  # live segments re-read the account's events
    if address:
        digest = address_hash(account_id, address)
        if s.get(ErasedAddress, (account_id, digest)) is None:
            s.add(ErasedAddress(account_id=account_id, address_hash=digest))
    record(s, account_id, "delete", pid, actor, deleted=deleted)
    s.flush()
    return {"profile_id": pid, "deleted": deleted}

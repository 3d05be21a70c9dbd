"""The dedup check of a pass: which messages an account already has, and the key each new
one is stored under (the compact keys of backend/store/dedup.py)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.ingest.profiles import _chunks
from backend.store.dedup import dedup_keys
from backend.store.models import Event


def seen_message_ids(
    s: Session, account_id: str, ids: list[str]
) -> tuple[set[str], dict[str, int | None]]:
    """(the ids among `ids` the account already has events for, the dedup key each id is
    stored under). The dedup check, on backend/store/dedup.py's compact keys.

    An id whose key another message holds (stored, or earlier in `ids`) gets None: it is
    stored without a key and found by its exact id, which a partial unique index keeps
    (expected never: 64-bit keys)."""
    seen, first, later, held = _look_up(s, account_id, ids)
    # A free key goes to the first of its ids; every other id is stored without a key.
    keys: dict[str, int | None] = {}
    keyless_ids: list[str] = []
    for k, mid in first.items():
        if k in held:
            keys[mid] = None
            keyless_ids.append(mid)
        else:
            keys[mid] = k
    for mids in later.values():
        for mid in mids:
            keys[mid] = None
            keyless_ids.append(mid)
    seen.update(_keyless_seen(s, account_id, ids, keyless_ids))
    return seen, keys


def stored_message_ids(s: Session, account_id: str, ids: list[str]) -> set[str]:
    """The ids among `ids` the account already has events for (the counting stage's check:
    it needs no keys to store under)."""
    seen, first, later, held = _look_up(s, account_id, ids)
    collided = [
        mid for k in held.union(later) if k in first for mid in (first[k], *later.get(k, ()))
    ]
    seen.update(_keyless_seen(s, account_id, ids, collided))
    return seen


def _look_up(
    s: Session, account_id: str, ids: list[str]
) -> tuple[set[str], dict[int, str], dict[int, list[str]], set[int]]:
    """(ids found by their key, key -> the first id of `ids` that hashes to it, key -> any
    later ones (a collision: expected never), keys a stored event holds). Runs on the
    driver's cursor for SQLite and PostgreSQL: SQLAlchemy coerced each IN value one by one,
    a tenth of a pass at 50k messages."""
    keys = dedup_keys(account_id, ids)
    first = dict(zip(keys, ids, strict=True))
    later: dict[int, list[str]] = {}
    if len(first) < len(ids):  # two ids share a key (or one id comes twice): keep them all
        first = {}
        for k, mid in zip(keys, ids, strict=True):
            if k in first:
                later.setdefault(k, []).append(mid)
            else:
                first[k] = mid
    seen: set[str] = set()
    held: set[int] = set()
    conn = s.connection()
    name = conn.dialect.name
    # PostgreSQL takes the pass's keys as one array, in one query that is never prepared
    # (why: planned_afresh in backend/store/db.py, which a pass runs under; this lookup says so
    # itself too, wherever it is called). In chunks of 500, prepared, that folded 3k-11k
    # events/s; in one unprepared query, 19k-28k.
    chunks = [list(first)] if name == "postgresql" else _chunks(list(first))
    for chunk in chunks:
        if name == "sqlite":
            found = _fetch(
                conn,
                "SELECT dedup_key, account_id, message_id FROM events WHERE "
                f"dedup_key IN ({', '.join('?' * len(chunk))})",
                chunk,
            )
        elif name == "postgresql":
            found = _fetch(
                conn,
                "SELECT dedup_key, account_id, message_id FROM events "
                "WHERE dedup_key = ANY(%s::bigint[])",
                (chunk,),
                prepare=False,
            )
        else:
            found = s.execute(
                select(Event.dedup_key, Event.account_id, Event.message_id).where(
                    Event.dedup_key.in_(chunk)
                )
            ).all()
        for k, acct, mid in found:
            held.add(k)
            if acct == account_id and (first[k] == mid or mid in later.get(k, ())):
                seen.add(mid)
    return seen, first, later, held


def _keyless_seen(s: Session, account_id: str, ids: list[str], keyless_ids: list[str]) -> set:
    """Ids stored without a key (their key was taken) among `ids`: matched by exact id. Those
    ids, and every id while the account has any keyless event (its key may have been freed
    by a deletion since)."""
    keyless = select(Event.message_id).where(
        Event.account_id == account_id, Event.dedup_key.is_(None)
    )
    check = ids if s.scalar(keyless.limit(1)) is not None else keyless_ids
    seen: set[str] = set()
    for chunk in _chunks(check):
        seen.update(s.scalars(keyless.where(Event.message_id.in_(chunk))))
    return seen


def _fetch(conn, sql: str, params, **options) -> list[tuple]:
    cur = conn.connection.driver_connection.cursor()
    try:
        cur.execute(sql, params, **options)
        return cur.fetchall()
    finally:
        cur.close()

"""The column cache (backend/segments/columns.py) answers metric conditions exactly as the
SQL path does after what a cache of appended rows could miss: events arriving late and out
of order (ids committed after higher ones) once the cache was loaded, an identify merge
moving events to another profile, an erased profile's events vanishing; and it stays
within its memory cap (the least recently used columns go; a metric over the cap stays SQL).
On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import delete, func, insert, select, update

from backend.segments import columns
from backend.segments.evaluate import members
from backend.store.models import Account, Event, Profile
from backend.store.touches import events_rewritten

NOW = datetime(2026, 6, 1, 12, 0, 0)
CONDITIONS = [
    [{"type": "metric", "metric": "Placed Order", "op": "gte", "value": 2, "days": 30}],
    [
        {
            "type": "metric",
            "metric": "Placed Order",
            "op": "lt",
            "value": 100,
            "measure": "revenue",
        },
        {"type": "metric", "metric": "Viewed Page", "op": "eq", "value": 0},
    ],
]


def _setup(db, n_profiles=6):
    with db.session() as s:
        acc = Account(name="Shop")
        s.add(acc)
        s.flush()
        ids = []
        for i in range(n_profiles):
            p = Profile(account_id=acc.id, external_id=f"u{i}", traits={})
            s.add(p)
            s.flush()
            ids.append(p.id)
        return acc.id, ids


def _event(account_id, pid, metric, hours_ago, revenue=None, id_=None):
    row = {
        "account_id": account_id,
        "message_id": f"{account_id}-{pid}-{metric}-{hours_ago}-{id_}",
        "dedup_key": None,
        "profile_id": pid,
        "metric": metric,
        "ts": NOW - timedelta(hours=hours_ago),
        "received_at": NOW,
        "revenue": revenue,
        "properties": {},
    }
    if id_ is not None:
        row["id"] = id_
    return row


def _store(db, rows):
    with db.session() as s:
        s.execute(insert(Event), rows)


def _both(db, account_id, conditions=CONDITIONS, now=NOW):
    """(cached answer, SQL answer) for the same definition."""
    with db.session() as s:
        cached = members(s, account_id, conditions, now)
        columns.enabled = False
        try:
            plain = members(s, account_id, conditions, now)
        finally:
            columns.enabled = True
    return set(cached), set(plain)


def _next_id(db) -> int:
    with db.session() as s:
        return (s.scalar(select(func.max(Event.id))) or 0) + 1


@pytest.mark.parametrize("dense", [16, 0], ids=["bincount", "sort"])
def test_late_and_out_of_order_events_after_the_cache_was_loaded(db, dense, monkeypatch):
    monkeypatch.setattr(columns, "DENSE", dense)  # both ways of counting per profile
    acc, (a, b, c, *_) = _setup(db)
    _store(db, [_event(acc, a, "Placed Order", 5, 10), _event(acc, b, "Viewed Page", 1)])
    cached, plain = _both(db, acc)
    assert cached == plain and a not in cached  # one order: not two
    # Late (old timestamps) and out of order: ids 0..3 ahead, id 1 and 2 held back.
    first = _next_id(db)
    rows = [
        _event(acc, a, "Placed Order", 24 * 20, 30, first),  # a: the second order
        _event(acc, b, "Placed Order", 24 * 29, 5, first + 1),  # b: two orders, held back
        _event(acc, b, "Placed Order", 24 * 10, 5, first + 2),
        _event(acc, c, "Placed Order", 2, 1, first + 3),
    ]
    _store(db, [rows[0], rows[3]])
    cached, plain = _both(db, acc)
    assert cached == plain == {a}  # c: one order
    _store(db, [rows[1], rows[2]])  # committed after a higher id: a gap the cache fills
    cached, plain = _both(db, acc)
    assert cached == plain == {a, b}


def test_a_merge_and_an_erasure_reload_the_account_s_columns(db):
    acc, (a, b, c, *_) = _setup(db)
    _store(
        db,
        [
            _event(acc, a, "Placed Order", 3, 10),
            _event(acc, b, "Placed Order", 4, 10),
            _event(acc, b, "Placed Order", 5, 10),
        ],
    )
    cached, plain = _both(db, acc)
    assert cached == plain and b in cached and a not in cached
    with db.session() as s:  # what an identify merge does: b's events move to a
        s.execute(update(Event).where(Event.profile_id == b).values(profile_id=a))
        events_rewritten(s, acc)
    cached, plain = _both(db, acc)
    assert cached == plain and a in cached and b not in cached
    with db.session() as s:  # what erasing a does: its events vanish
        s.execute(delete(Event).where(Event.profile_id == a))
        events_rewritten(s, acc)
    cached, plain = _both(db, acc)
    assert cached == plain and a not in cached


def test_the_cap_evicts_the_least_recently_used_and_skips_what_cannot_fit(db):
    acc, ids = _setup(db)
    _store(db, [_event(acc, p, m, h) for p in ids for m in ("A", "B") for h in (1, 2)])
    cache = columns.ColumnCache(db.engine, max_bytes=1024 * 24 * 2 + 1)  # two columns' worth
    assert cache.view(acc, "A") is not None
    assert cache.view(acc, "B") is not None
    assert set(cache.sizes()) == {(acc, "A"), (acc, "B")}
    assert cache.view(acc, "C") is not None  # no events: small, but over the cap: A goes
    assert set(cache.sizes()) == {(acc, "B"), (acc, "C")}
    small = columns.ColumnCache(db.engine, max_bytes=24 * 5)  # not even one metric
    assert small.view(acc, "A") is None
    assert small.sizes() == {}
    loads = small.loads
    assert small.view(acc, "A") is None and small.loads == loads  # not retried at once


def test_a_metric_named_with_a_quote(db):
    acc, (a, b, *_) = _setup(db)
    _store(db, [_event(acc, a, "Tom's Order", 1), _event(acc, b, "Tom's Order'", 1)])
    cond = [[{"type": "metric", "metric": "Tom's Order", "op": "gte", "value": 1}]]
    cached, plain = _both(db, acc, cond)
    assert cached == plain == {a}

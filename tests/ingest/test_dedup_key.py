"""Dedup on compact 64-bit keys (backend/store/dedup.py), on SQLite and PostgreSQL: exact even
when keys collide. Real collisions are too rare to meet, so these tests force them with a key
function of a few values."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, func, select, text

from backend.ingest import dedup, ingestor
from backend.store.db import utcnow
from backend.store.dedup import dedup_key, dedup_keys
from backend.store.models import Event
from tests.ingest.conftest import basic


def order(mid: str) -> dict:
    return {
        "type": "track",
        "userId": "u1",
        "event": "Placed Order",
        "messageId": mid,
        "properties": {"revenue": 2.0},
    }


@pytest.fixture
def colliding(monkeypatch):
    """Every messageId gets one of three keys (the account still counts)."""
    monkeypatch.setattr(
        dedup,
        "dedup_keys",
        lambda account, mids: [hash(account) % 7 + int(mid[1:]) % 3 for mid in mids],
    )


def send(client, account, ids: list[str], runtime) -> None:
    r = client.post(
        "/v1/batch", json={"batch": [order(i) for i in ids]}, headers=basic(account.write_key)
    )
    assert r.status_code == 200
    ingestor(runtime).drain()


def keyless(runtime) -> int:
    with runtime.db.session() as s:
        return s.scalar(select(func.count()).select_from(Event).where(Event.dedup_key.is_(None)))


def test_events_are_stored_under_their_key(client, account, runtime):
    send(client, account, ["m1", "m2"], runtime)
    with runtime.db.session() as s:
        stored = dict(s.execute(select(Event.message_id, Event.dedup_key)).all())
    assert stored == {"m1": dedup_key(account.id, "m1"), "m2": dedup_key(account.id, "m2")}


@settings(max_examples=200, deadline=None)
@given(account=st.text(min_size=1, max_size=30), ids=st.lists(st.text(max_size=80), max_size=20))
def test_the_keys_of_many_ids_are_each_id_s_key(account, ids):
    """A pass hashes its ids together (the account's part once); a stored key never changes."""
    assert dedup_keys(account, ids) == [dedup_key(account, mid) for mid in ids]


def test_colliding_keys_count_each_message_once(colliding, client, account, runtime, totals):
    ids = [f"m{i}" for i in range(12)]
    send(client, account, ids[:5], runtime)  # collisions within one pass
    send(client, account, ids, runtime)  # and with stored events, retries among them
    send(client, account, ids[::-1], runtime)  # every one a retry
    assert totals(account.id, "Placed Order") == {"": (12, 24.0)}
    assert keyless(runtime) == 12 - 3  # three keys; the rest are found by exact id


def test_a_keyless_event_stays_deduplicated_after_its_key_is_freed(
    colliding, client, account, runtime, totals
):
    send(client, account, ["m0", "m3"], runtime)  # same key: m3 is stored without one
    assert keyless(runtime) == 1
    with runtime.db.session() as s:  # the key holder goes (say, its profile was deleted)
        s.execute(delete(Event).where(Event.message_id == "m0"))
    send(client, account, ["m3"], runtime)  # a late retry of m3: its key is free now
    with runtime.db.session() as s:
        assert s.scalars(select(Event.message_id)).all() == ["m3"]
    assert totals(account.id, "Placed Order") == {"": (2, 4.0)}  # m0 and m3, each once


def test_the_same_message_id_in_two_accounts_has_two_keys(client, make_account, runtime, totals):
    a, b = make_account("A"), make_account("B")
    assert dedup_key(a.id, "same") != dedup_key(b.id, "same")
    send(client, a, ["same"], runtime)
    send(client, b, ["same"], runtime)
    assert totals(a.id, "Placed Order") == totals(b.id, "Placed Order") == {"": (1, 2.0)}
    assert keyless(runtime) == 0


@pytest.mark.parametrize("key", ["its key", "no key"])
def test_the_database_refuses_a_second_copy_of_a_message(runtime, account, key):
    """The guard that holds if two aggregators (two machines' spools) fold one message at
    once: neither sees the other's uncommitted row, so both store it under the same key, or
    both without one."""
    from sqlalchemy.exc import IntegrityError

    extra = {} if key == "its key" else {"dedup_key": None}

    def store() -> None:
        with runtime.db.session() as s:
            s.add(
                Event(
                    account_id=account.id,
                    message_id="once",
                    metric="M",
                    ts=utcnow(),
                    properties={},
                    **extra,
                )
            )

    store()
    with pytest.raises(IntegrityError):
        store()


def test_a_pass_of_many_ids_is_looked_up_whole_and_never_prepared(client, account, runtime):
    """On PostgreSQL the pass's keys go in one array, in a statement psycopg never prepares:
    a prepared statement could keep a plan made while the table was small (a sequential
    scan), which folded 3k-11k events/s against ~20k-28k unprepared."""
    send(client, account, [f"s{i}" for i in range(700)], runtime)
    ids = [f"s{i}" for i in range(0, 1400, 2)]  # half stored, half new; more than a chunk
    with runtime.db.session() as s:
        for _ in range(7):  # psycopg prepares what runs five times on one connection
            seen, keys = dedup.seen_message_ids(s, account.id, ids)
        assert seen == {i for i in ids if int(i[1:]) < 700}
        assert all(keys[i] == dedup_key(account.id, i) for i in ids if i not in seen)
        if s.get_bind().dialect.name == "postgresql":
            prepared = s.execute(
                text(
                    "SELECT count(*) FROM pg_prepared_statements "
                    "WHERE statement LIKE '%dedup_key = ANY%'"
                )
            ).scalar()
            assert prepared == 0


def test_a_pass_plans_its_statements_afresh_and_leaves_the_connection_as_it_was(
    client, account, runtime, monkeypatch
):
    """The whole fold runs unprepared on PostgreSQL (backend/store/db.py, planned_afresh),
    seen from a fold hook, which runs in the pass's own transaction."""
    seen, used = [], []

    def hook(s, account_id, rows, now):
        dbapi = s.connection().connection.driver_connection
        used.append(dbapi)
        seen.append(getattr(dbapi, "prepare_threshold", "sqlite"))
        for _ in range(6):  # would be prepared on the fifth run
            s.execute(select(func.count()).select_from(Event).where(Event.account_id == "x"))
        if seen[-1] != "sqlite":
            seen.append(s.execute(text("SELECT count(*) FROM pg_prepared_statements")).scalar())

    ing = ingestor(runtime)
    monkeypatch.setattr(ing.aggregator, "hooks", (hook,))
    send(client, account, ["p1", "p2"], runtime)
    if runtime.db.engine.dialect.name == "sqlite":
        assert seen == ["sqlite"]
        return
    assert seen == [None, 0]
    assert used[0].prepare_threshold == 5  # the pooled connection is as it was

"""Crashes at each step of a pass neither lose nor double count (the ledger design)."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, func, select

from backend.counters import counter_store
from backend.ingest import ingestor
from backend.store.models import Event, PendingFlush, SpoolOffset


def orders(n, start=0):
    return [
        {
            "type": "track",
            "userId": f"u{i % 7}",
            "event": "Placed Order",
            "messageId": f"m{i}",
            "properties": {"revenue": 1.5},
        }
        for i in range(start, start + n)
    ]


class Boom(Exception):
    pass


def ledger_rows(runtime, ing) -> int:
    """Counter deltas recorded but not known to be applied: in the counting stage's state on
    SQLite (it counts ahead), in the store's ledger table on PostgreSQL."""
    if ing.counting is not None:
        return len(ing.counting.state.ledger())
    with runtime.db.session() as s:
        return s.scalar(select(func.count()).select_from(PendingFlush))


def test_crash_after_commit_before_counters_replays_the_ledger(
    runtime, account, totals, monkeypatch
):
    ing = ingestor(runtime)
    ing.accept(account.id, orders(50))
    store = counter_store(runtime)
    real = store.increment

    def crash(flush_id, deltas):
        raise Boom()

    monkeypatch.setattr(store, "increment", crash)
    with pytest.raises(Boom):
        ing.drain()
    assert ledger_rows(runtime, ing) == 1
    assert totals(account.id, "Placed Order") == {}
    monkeypatch.setattr(store, "increment", real)
    ing.drain()
    assert totals(account.id, "Placed Order") == {"": (50, 75.0)}
    assert ledger_rows(runtime, ing) == 0


def test_crash_after_counters_before_ledger_delete_is_not_counted_twice(
    runtime, account, totals, monkeypatch
):
    ing = ingestor(runtime)
    ing.accept(account.id, orders(20))
    store = counter_store(runtime)
    real = store.increment
    calls = []

    def apply_then_crash(flush_id, deltas):
        real(flush_id, deltas)
        calls.append(flush_id)
        raise Boom()  # as if killed before the ledger row was deleted

    monkeypatch.setattr(store, "increment", apply_then_crash)
    with pytest.raises(Boom):
        ing.drain()
    monkeypatch.setattr(store, "increment", real)
    ing.drain()  # replays the same flush id: a no-op in the counter store
    assert totals(account.id, "Placed Order") == {"": (20, 30.0)}
    assert len(calls) == 1


def drain_after_a_crash_inside_the_transaction(ing, monkeypatch) -> None:
    """Drain with a crash after the fold, before the commit; then drain again."""
    import backend.ingest.aggregate as aggregate

    real = aggregate.fold_account

    def fold_then_crash(*args):
        real(*args)
        raise Boom()

    monkeypatch.setattr(aggregate, "fold_account", fold_then_crash)
    with pytest.raises(Boom):
        ing.drain()
    monkeypatch.setattr(aggregate, "fold_account", real)
    ing.drain()


def test_crash_inside_the_transaction_leaves_nothing_behind(runtime, account, totals, monkeypatch):
    ing = ingestor(runtime)
    ing.accept(account.id, orders(10))
    drain_after_a_crash_inside_the_transaction(ing, monkeypatch)
    assert totals(account.id, "Placed Order") == {"": (10, 15.0)}


def test_rereading_a_segment_from_zero_counts_nothing_twice(runtime, account, totals):
    ing = ingestor(runtime)
    ing.accept(account.id, orders(30))
    ing.drain()
    with runtime.db.session() as s:
        s.execute(delete(SpoolOffset))  # lose the offsets: every record is read again
    ing.accept(account.id, orders(5, start=30))
    ing.drain()
    assert totals(account.id, "Placed Order") == {"": (35, 52.5)}


def test_many_accepts_from_threads_are_all_counted(runtime, account, totals):
    import threading

    ing = ingestor(runtime)
    ing.start_background()

    def send(t):
        for b in range(10):
            ing.accept(account.id, orders(20, start=t * 1000 + b * 20))

    threads = [threading.Thread(target=send, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ing.close()
    ing.drain()
    assert totals(account.id, "Placed Order") == {"": (800, 1200.0)}


def body_of(n: int, start: int = 0) -> bytes:
    """A /v1 batch as an SDK sends it; no messageIds, so ids come from the request's id."""
    import orjson

    return orjson.dumps(
        {"batch": [{k: v for k, v in m.items() if k != "messageId"} for m in orders(n, start)]}
    )


def test_spooled_bodies_without_message_ids_are_counted_once_when_reread(
    runtime, account, totals, monkeypatch
):
    ing = ingestor(runtime)
    ing.accept_body(account.id, "batch", body_of(25), "81.2.69.142")
    drain_after_a_crash_inside_the_transaction(ing, monkeypatch)
    with runtime.db.session() as s:
        s.execute(delete(SpoolOffset))  # and read every record again: same ids, no new counts
    ing.accept_body(account.id, "batch", body_of(5, start=25), None)
    ing.drain()
    assert totals(account.id, "Placed Order") == {"": (30, 45.0)}
    assert totals(account.id, "Placed Order", "country") == {"GB": (25, 37.5)}


def test_a_record_that_no_longer_validates_is_kept_aside_not_dropped(
    runtime, account, totals, monkeypatch
):
    from backend.ingest import wire
    from backend.ingest.errors import InvalidMessage

    ing = ingestor(runtime)
    rejected = body_of(3)
    ing.accept_body(account.id, "batch", rejected, None)
    ing.accept_body(account.id, "batch", body_of(4, start=3), None)
    real = wire.parse

    def stricter(body, *args):  # as if an upgrade tightened the rules after the 200
        if body == rejected:
            raise InvalidMessage("batch[0]", "no longer valid")
        return real(body, *args)

    monkeypatch.setattr(wire, "parse", stricter)
    real_view = wire.counted_view
    monkeypatch.setattr(
        wire,
        "counted_view",
        lambda body, *args: stricter(body, *args) if body == rejected else real_view(body, *args),
    )
    ing.drain()
    kept = list((runtime.settings.spool_dir / "quarantine").glob("*.rec"))
    assert len(kept) == 1 and kept[0].read_bytes().startswith(b"B")
    with runtime.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Event)) == 4
    # On SQLite the counting stage counts what was acknowledged, from the summary the request
    # worker made (backend/ingest/summary.py), without parsing the body again; the storing
    # pass of PostgreSQL counts what it stores.
    counted = 7 if runtime.db.is_sqlite else 4
    assert totals(account.id, "Placed Order") == {"": (counted, counted * 1.5)}


# -- reading ahead: a pass's commit runs in a thread while the next pass's records are read


def small_passes(ing, monkeypatch, size: int = 10) -> list:
    """Passes of `size` messages; returns the list each _read call records (messages read,
    whether it read ahead, beside a pass's commit) in."""
    agg = ing.aggregator
    monkeypatch.setattr(agg, "max_messages", size)
    reads: list = []
    ahead = {"now": False}
    real_read, real_commit = agg._read, agg._commit_reading_ahead

    def read(segs, offsets, limits):
        out = real_read(segs, offsets, limits)
        reads.append((out[2], ahead["now"]))
        return out

    def commit_reading_ahead(*args):
        ahead["now"] = True
        try:
            return real_commit(*args)
        finally:
            ahead["now"] = False

    monkeypatch.setattr(agg, "_read", read)
    monkeypatch.setattr(agg, "_commit_reading_ahead", commit_reading_ahead)
    return reads


def test_passes_read_ahead_and_count_every_message_once(runtime, account, totals, monkeypatch):
    ing = ingestor(runtime)
    for start in range(0, 50, 10):  # five records of ten messages
        ing.accept(account.id, orders(10, start=start))
    reads = small_passes(ing, monkeypatch)
    assert ing.drain() == 50
    # Only the first pass read for itself; each later one used what the pass before read
    # while it committed. The last read ahead found nothing, so the sixth pass looked again.
    assert reads == [
        (10, False),
        (10, True),
        (10, True),
        (10, True),
        (10, True),
        (0, True),
        (0, False),
    ]
    assert totals(account.id, "Placed Order") == {"": (50, 75.0)}


def test_a_failed_commit_discards_what_was_read_ahead(runtime, account, totals, monkeypatch):
    import threading

    from sqlalchemy.orm import Session

    ing = ingestor(runtime)
    for start in (0, 10):
        ing.accept(account.id, orders(10, start=start))
    reads = small_passes(ing, monkeypatch)
    real = Session.commit
    failing = {"left": 1}

    def commit(self):  # the pass's own commit, in its thread, fails once
        if failing["left"] and threading.current_thread().name == "tally-aggregator-commit":
            failing["left"] -= 1
            raise Boom()
        return real(self)

    monkeypatch.setattr(Session, "commit", commit)
    with pytest.raises(Boom):
        ing.drain()
    assert ing.aggregator._ahead is None
    with runtime.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Event)) == 0  # nothing stored
    monkeypatch.setattr(Session, "commit", real)
    assert ing.drain() == 20
    assert totals(account.id, "Placed Order") == {"": (20, 30.0)}
    # The failed pass had read the second record ahead; it was read again after.
    assert [n for n, _ in reads] == [10, 10, 10, 10, 0, 0]


def test_what_was_read_ahead_is_not_used_once_the_offsets_moved(
    runtime, account, totals, monkeypatch
):
    ing = ingestor(runtime)
    for start in (0, 10):
        ing.accept(account.id, orders(10, start=start))
    small_passes(ing, monkeypatch)
    if ing.counting is not None:  # SQLite: the store passes no further than what is counted
        ing.counting.run_pass()
    assert ing.aggregator.run_pass() == 10
    assert ing.aggregator._ahead is not None  # the second record, read ahead
    with runtime.db.session() as s:
        s.execute(delete(SpoolOffset))  # say another aggregator's pass moved them
    assert ing.drain() == 20  # read again from the start: the first record again too
    assert totals(account.id, "Placed Order") == {"": (20, 30.0)}

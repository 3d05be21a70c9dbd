"""Stores written before day cells existed read correctly, and get their day cells once:
SQLite fills `day_counters` on first open; Cassandra reads a day that is not `rolled` from its
hour cells, then rolls it up (docs/cassandra.md)."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta

import pytest

from backend.counters.base import CounterKey, Totals
from backend.counters.cassandra_schema import DAY_ROW
from backend.counters.sqlite import SqliteCounterStore

D = datetime(2026, 9, 10)
DAY = timedelta(days=1)

# The counters schema as it was before day cells.
OLD_SQLITE = """
CREATE TABLE counters (
    account_id TEXT NOT NULL, metric TEXT NOT NULL, dimension TEXT NOT NULL,
    value TEXT NOT NULL, hour INTEGER NOT NULL, count INTEGER NOT NULL DEFAULT 0,
    revenue REAL NOT NULL DEFAULT 0,
    PRIMARY KEY (account_id, metric, dimension, hour, value)) WITHOUT ROWID;
CREATE TABLE applied_flushes (flush_id TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)
    WITHOUT ROWID;
"""


def epoch(ts: datetime) -> int:
    return int((ts - datetime(1970, 1, 1)).total_seconds())


def test_sqlite_store_from_before_day_cells_is_filled_on_first_open(tmp_path):
    path = tmp_path / "counters.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript(OLD_SQLITE)
    conn.executemany(
        "INSERT INTO counters VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            ("a", "m", "", "", epoch(D + timedelta(hours=2)), 3, 1.5),
            ("a", "m", "", "", epoch(D + timedelta(hours=23)), 4, 2.0),
            ("a", "m", "", "", epoch(D + timedelta(hours=24)), 5, 0.25),
            ("a", "m", "country", "FR", epoch(D + timedelta(hours=2)), 3, 1.5),
            ("b", "m", "", "", epoch(D), 9, 9.0),
        ],
    )
    conn.execute("INSERT INTO applied_flushes VALUES ('old-flush', 0)")
    conn.commit()
    conn.close()

    store = SqliteCounterStore(path)
    try:
        assert store.read("a", "m", "", D, D + 2 * DAY, grain="day") == {
            ("", D): Totals(7, 3.5),
            ("", D + DAY): Totals(5, 0.25),
        }
        assert store.read("a", "m", "country", D, D + 2 * DAY, grain="day") == {
            ("FR", D): Totals(3, 1.5)
        }
        assert store.read("b", "m", "", D, D + DAY, grain="day") == {("", D): Totals(9, 9.0)}
        store.increment("old-flush", {CounterKey("a", "m", "", "", D): Totals(100, 0)})  # seen
        store.increment("new-flush", {CounterKey("a", "m", "", "", D): Totals(1, 1.0)})
    finally:
        store.close()
    again = SqliteCounterStore(path)  # a second open fills nothing twice
    try:
        assert again.read("a", "m", "", D, D + 2 * DAY, grain="day") == {
            ("", D): Totals(8, 4.5),
            ("", D + DAY): Totals(5, 0.25),
        }
    finally:
        again.close()


def legacy_flush(store, flush_id: str, deltas: dict, complete: bool = True) -> None:
    """A flush as the store wrote it before day cells: index rows without `rolled`, hour
    cells only; `complete=False` is a process killed before it marked the flush done."""
    ks, st = store.keyspace, store._st
    write_ts, _ = store._claim(flush_id)
    for k in deltas:
        store.session.execute(
            f"INSERT INTO {ks}.counter_days (account_id, metric, dimension, day) "
            "VALUES (%s, %s, %s, %s)",
            (k.account_id, k.metric, k.dimension, k.hour.date()),
        )
    for k, t in deltas.items():
        store.session.execute(
            st.insert,
            (
                k.account_id,
                k.metric,
                k.dimension,
                k.hour.date(),
                k.hour,
                k.value,
                flush_id,
                t.count,
                t.revenue,
                write_ts,
            ),
        )
    if complete:
        store.session.execute(st.complete, (flush_id,))


def rolled(store, acc: str, dim: str) -> list[bool]:
    return [
        bool(r.rolled)
        for r in store.session.execute(
            f"SELECT rolled FROM {store.keyspace}.counter_days WHERE account_id=%s AND metric='m' "
            "AND dimension=%s",
            (acc, dim),
        )
    ]


def day_cells(store, acc: str, dim: str, day: datetime) -> list:
    return list(store.session.execute(store._st.select_day, (acc, "m", dim, day.date(), DAY_ROW)))


def k(acc: str, hour: datetime, value: str) -> CounterKey:
    return CounterKey(acc, "m", "country", value, hour)


@pytest.mark.parametrize("compact_first", [False, True])
def test_cassandra_days_from_before_day_cells_read_right_and_roll_up(
    cassandra_store, new_id, compact_first
):
    store, acc = cassandra_store, new_id("acc")
    old = {
        k(acc, D + timedelta(hours=1), "FR"): Totals(3, 1.5),
        k(acc, D + timedelta(hours=20), "FR"): Totals(2, 0.5),
        k(acc, D + timedelta(hours=5), "DE"): Totals(4, 4.0),
        k(acc, D + DAY, "DE"): Totals(1, 0.25),
    }
    legacy_flush(store, new_id("f"), old)
    crashed_id = new_id("f")
    crashed = {
        k(acc, D + timedelta(hours=7), "FR"): Totals(10, 10.0),
        k(acc, D + timedelta(hours=8), "JP"): Totals(6, 6.0),
    }
    legacy_flush(store, crashed_id, dict(list(crashed.items())[:1]), complete=False)
    # the new code writes into a day that is not rolled up yet
    store.increment(new_id("f"), {k(acc, D + timedelta(hours=9), "DE"): Totals(7, 7.0)})
    assert rolled(store, acc, "country") == [False, False]
    if compact_first:
        # the old flush's 3 cells of that day, the new one's hour and day cells; the crashed
        # flush is not complete, so not folded
        assert store.compact(acc, "m", "country", D.date()) == 3 + 2
    hours = store.read(acc, "m", "country", D, D + 2 * DAY)
    assert sum(t.count for t in hours.values()) == 3 + 2 + 4 + 1 + 10 + 7

    # not rolled up: read from the hour cells (the crashed flush's written cell shows, as in
    # any hour read), then rolled up
    first = store.read(acc, "m", "country", D, D + 2 * DAY, grain="day")
    assert first == {
        ("FR", D): Totals(15, 12.0),
        ("DE", D): Totals(11, 11.0),
        ("DE", D + DAY): Totals(1, 0.25),
    }
    assert rolled(store, acc, "country") == [True, True]
    # rolled up: day cells, without the crashed flush until its retry
    assert store.read(acc, "m", "country", D, D + 2 * DAY, grain="day") == {
        ("FR", D): Totals(5, 2.0),
        ("DE", D): Totals(11, 11.0),
        ("DE", D + DAY): Totals(1, 0.25),
    }
    store.increment(crashed_id, crashed)  # the pipeline's retry, same id, by the new code
    expected = {
        ("FR", D): Totals(15, 12.0),
        ("DE", D): Totals(11, 11.0),
        ("JP", D): Totals(6, 6.0),
        ("DE", D + DAY): Totals(1, 0.25),
    }
    assert store.read(acc, "m", "country", D, D + 2 * DAY, grain="day") == expected
    store.compact(acc, "m", "country", D.date())
    assert store.read(acc, "m", "country", D, D + 2 * DAY, grain="day") == expected
    assert {r.flush_id for r in day_cells(store, acc, "country", D)} == {""}
    assert store.roll_up(acc, "m", "country", D.date())  # again: the same sums
    assert store.read(acc, "m", "country", D, D + 2 * DAY, grain="day") == expected


def test_cassandra_new_days_are_rolled_from_their_first_flush(cassandra_store, new_id):
    store, acc = cassandra_store, new_id("acc")
    store.increment(new_id("f"), {k(acc, D + timedelta(hours=3), "US"): Totals(2, 2.0)})
    assert rolled(store, acc, "country") == [True]
    assert [(r.value, r.count) for r in day_cells(store, acc, "country", D)] == [("US", 2)]
    # a day the index knows without `rolled` keeps it unset until rolled up
    legacy_flush(store, new_id("f"), {k(acc, D + DAY, "US"): Totals(1, 1.0)})
    assert rolled(store, acc, "country") == [True, False]


def test_sqlite_store_from_before_dimension_sums_gets_them_on_first_open(tmp_path):
    """A store with day cells but no sums (user_version 0): one open adds the sums of every
    dimension, hour and day, from the cells in store; the total gets none (it is its own)."""
    path = tmp_path / "counters.sqlite3"
    store = SqliteCounterStore(path)
    hours = {D + timedelta(hours=h): h for h in (1, 2, 30)}
    deltas = {}
    for hour, h in hours.items():
        deltas[CounterKey("a", "m", "", "", hour)] = Totals(10 * h, 1.0)
        deltas[CounterKey("a", "m", "country", "FR", hour)] = Totals(h, 0.5)
        deltas[CounterKey("a", "m", "country", "DE", hour)] = Totals(2 * h, 0.25)
    store.increment("f1", deltas)
    store.close()
    conn = sqlite3.connect(path)  # take the store back to before the sums
    conn.execute("DELETE FROM counters WHERE dimension <> '' AND value = ''")
    conn.execute("DELETE FROM day_counters WHERE dimension <> '' AND value = ''")
    conn.execute("PRAGMA user_version = 0")
    conn.commit()
    conn.close()

    store = SqliteCounterStore(path)
    try:
        sums = store.read("a", "m", "country", D, D + 2 * DAY, values=[""])
        assert dict(sums) == {("", hour): Totals(3 * h, 0.75) for hour, h in hours.items()}
        days = store.read("a", "m", "country", D, D + 2 * DAY, grain="day", values=[""])
        assert dict(days) == {("", D): Totals(9, 1.5), ("", D + DAY): Totals(90, 0.75)}
        assert len(store.read("a", "m", "", D, D + 2 * DAY)) == 3
        assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == 1
    finally:
        store.close()
    again = SqliteCounterStore(path)  # opened again: nothing added twice
    try:
        assert dict(again.read("a", "m", "country", D, D + 2 * DAY, grain="day", values=[""])) == {
            ("", D): Totals(9, 1.5),
            ("", D + DAY): Totals(90, 0.75),
        }
    finally:
        again.close()


def test_sqlite_stores_opened_at_once_add_the_sums_once(tmp_path):
    """Web workers and the jobs process open the store together after an upgrade: one of
    them adds the sums, the others wait for it and find them (never twice)."""
    from concurrent.futures import ThreadPoolExecutor

    path = tmp_path / "counters.sqlite3"
    store = SqliteCounterStore(path)
    store.increment(
        "f1",
        {
            CounterKey("a", "m", "", "", D): Totals(5, 0.0),
            CounterKey("a", "m", "country", "FR", D): Totals(2, 0.0),
            CounterKey("a", "m", "country", "DE", D): Totals(3, 0.0),
        },
    )
    store.close()
    conn = sqlite3.connect(path)
    conn.execute("DELETE FROM counters WHERE dimension <> '' AND value = ''")
    conn.execute("DELETE FROM day_counters WHERE dimension <> '' AND value = ''")
    conn.execute("PRAGMA user_version = 0")
    conn.commit()
    conn.close()

    with ThreadPoolExecutor(6) as pool:
        stores = list(pool.map(lambda _: SqliteCounterStore(path), range(6)))
    try:
        for s in stores:
            assert dict(s.read("a", "m", "country", D, D + DAY, values=[""])) == {
                ("", D): Totals(5, 0.0)
            }
            assert dict(s.read("a", "m", "country", D, D + DAY, grain="day", values=[""])) == {
                ("", D): Totals(5, 0.0)
            }
    finally:
        for s in stores:
            s.close()

"""The counter interface: what Cassandra counters can do, and no more (ARCHITECTURE rule 4).

A counter is addressed by (account, metric, dimension, value, hour). The total of a metric
uses dimension "" and value "". Hours are naive UTC datetimes on the hour.

increment() is idempotent per flush id: applying the same flush twice changes nothing.
That is what makes the ingest pipeline exactly-once when a crash lands between a flush
and its acknowledgement (see docs/ingestion.md).

Every backend also keeps a roll-up per UTC day, written by increment() in the same flush as
the hour cells (so exactly-once holds for both), and read(..., grain="day") returns it: one
cell per value and day instead of 24, which is what makes long series queries cheap. The
roll-up is internal to each backend; only read's `grain` argument shows it.

read() answers with Cells: a Mapping (value, hour) -> Totals like a dict, which also holds the
same cells as columns (numpy arrays, no Python object per cell). Series queries read tens of
thousands of cells; building a key and a Totals for each was much of a query's time, and
the garbage collector's full passes while they lived made its slow tail."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from typing import NamedTuple, Protocol

import numpy as np

GRAINS = ("hour", "day")
DAY = timedelta(days=1)


class CounterKey(NamedTuple):
    account_id: str
    metric: str
    dimension: str  # "" for the metric's total, else e.g. "country", "utm_campaign"
    value: str  # "" for the total, else the dimension's value
    hour: datetime  # naive UTC, minute=second=0


class Totals(NamedTuple):
    count: int
    revenue: float


_EPOCH = datetime(1970, 1, 1)


def to_epoch(ts: datetime) -> int:
    """Seconds since 1970 of a naive UTC datetime."""
    return (ts - _EPOCH) // timedelta(seconds=1)


def from_epoch(seconds: int) -> datetime:
    return _EPOCH + timedelta(seconds=seconds)


class Cells(Mapping[tuple[str, datetime], Totals]):
    """What read() returns: the sums per (value, hour) (or per (value, UTC midnight) for
    grain="day") as a read-only Mapping, and as columns, one entry per cell in no set order:

    distinct   the distinct values, a list of str (not `values`: that is the Mapping's)
    index      int64 array, the cell's value as a position in `distinct`
    epochs     int64 array, the cell's hour (or midnight) in seconds since 1970 (UTC)
    counts     int64 array
    revenue    float64 array

    The Mapping view (datetimes, Totals) is built on first use only."""

    __slots__ = ("distinct", "index", "epochs", "counts", "revenue", "_dict")

    def __init__(self, distinct: list[str], index: np.ndarray, epochs: np.ndarray,
                 counts: np.ndarray, revenue: np.ndarray):
        self.distinct = distinct
        self.index = index
        self.epochs = epochs
        self.counts = counts
        self.revenue = revenue
        self._dict: dict[tuple[str, datetime], Totals] | None = None

    @classmethod
    def empty(cls) -> Cells:
        return cls([], np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64),
                   np.zeros(0, np.float64))

    @classmethod
    def of(cls, rows: Mapping[tuple[str, datetime], Totals]) -> Cells:
        """Cells of any such mapping (e.g. a store wrapper's dict); Cells stay as they are."""
        if isinstance(rows, Cells):
            return rows
        slots: dict[str, int] = {}
        for value, _ in rows:
            slots.setdefault(value, len(slots))
        n = len(rows)
        return cls(list(slots), np.fromiter((slots[v] for v, _ in rows), np.int64, n),
                   np.fromiter((to_epoch(h) for _, h in rows), np.int64, n),
                   np.fromiter((t[0] for t in rows.values()), np.int64, n),
                   np.fromiter((t[1] for t in rows.values()), np.float64, n))

    def _mapping(self) -> dict[tuple[str, datetime], Totals]:
        if self._dict is None:
            stamps = {e: from_epoch(e) for e in set(self.epochs.tolist())}
            distinct = self.distinct
            self._dict = {
                (distinct[i], stamps[e]): Totals(c, r) for i, e, c, r in zip(
                    self.index.tolist(), self.epochs.tolist(), self.counts.tolist(),
                    self.revenue.tolist(), strict=True)
            }
        return self._dict

    def __getitem__(self, key: tuple[str, datetime]) -> Totals:
        return self._mapping()[key]

    def __iter__(self) -> Iterator[tuple[str, datetime]]:
        return iter(self._mapping())

    def __len__(self) -> int:
        return len(self.counts)

    def __repr__(self) -> str:
        return f"Cells({self._mapping()!r})"


def hour_floor(ts: datetime) -> datetime:
    return ts.replace(minute=0, second=0, microsecond=0)


def day_floor(ts: datetime) -> datetime:
    return ts.replace(hour=0, minute=0, second=0, microsecond=0)


def check_grain(grain: str, start: datetime, end: datetime) -> None:
    """ValueError unless `grain` is known and, for "day", start and end are UTC midnights."""
    if grain not in GRAINS:
        raise ValueError(f"grain must be one of {', '.join(GRAINS)}, not {grain!r}")
    if grain == "day" and (start != day_floor(start) or end != day_floor(end)):
        raise ValueError(f"grain='day' reads whole UTC days: {start} and {end} must be "
                         "midnights")


class CounterStore(Protocol):
    def increment(self, flush_id: str, deltas: Mapping[CounterKey, Totals]) -> None:
        """Add every delta, atomically per flush as far as the backend allows, exactly once
        per flush_id (a repeated flush_id is a no-op). The day roll-ups move with it."""

    def read(
        self, account_id: str, metric: str, dimension: str, start: datetime, end: datetime,
        grain: str = "hour",
    ) -> Cells:
        """Sums per (value, hour) for hours in [start, end) (naive UTC), as Cells.

        grain="day": sums per (value, day) for the UTC days in [start, end), each keyed by its
        midnight; start and end must be midnights (ValueError otherwise). A day's sums equal
        the sums of its 24 hours."""

    def close(self) -> None: ...

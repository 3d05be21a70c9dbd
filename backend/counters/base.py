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

Under a dimension, value "" is not a value an event can have (the aggregator never writes
it; increment() refuses it): read(..., values=[ALL_VALUES]) answers, per hour or day, the sum
over every value of the dimension (for dimension "" that is the total itself). A series by a
dimension then reads its top values and that sum instead of every value's cells: "other" is
the sum less the top values, "no value" the total less the sum. How a backend gets the sum is
its own business (SQLite keeps it as cells written in the same flush; Cassandra adds up the
values of the partitions it reads anyway).

read() answers with Cells: a Mapping (value, hour) -> Totals like a dict, which also holds the
same cells as columns (numpy arrays, no Python object per cell). Series queries read tens of
thousands of cells; building a key and a Totals for each was much of a query's time, and
the garbage collector's full passes while they lived made its slow tail."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import NamedTuple, Protocol

import numpy as np

GRAINS = ("hour", "day")
ALL_VALUES = ""  # read(values=[ALL_VALUES]): the sum over every value of the dimension
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

    def __init__(
        self,
        distinct: list[str],
        index: np.ndarray,
        epochs: np.ndarray,
        counts: np.ndarray,
        revenue: np.ndarray,
    ):
        self.distinct = distinct
        self.index = index
        self.epochs = epochs
        self.counts = counts
        self.revenue = revenue
        self._dict: dict[tuple[str, datetime], Totals] | None = None

    @classmethod
    def empty(cls) -> Cells:
        return cls(
            [],
            np.zeros(0, np.int64),
            np.zeros(0, np.int64),
            np.zeros(0, np.int64),
            np.zeros(0, np.float64),
        )

    @classmethod
    def of(cls, rows: Mapping[tuple[str, datetime], Totals]) -> Cells:
        """Cells of any such mapping (e.g. a store wrapper's dict); Cells stay as they are."""
        if isinstance(rows, Cells):
            return rows
        slots: dict[str, int] = {}
        for value, _ in rows:
            slots.setdefault(value, len(slots))
        n = len(rows)
        return cls(
            list(slots),
            np.fromiter((slots[v] for v, _ in rows), np.int64, n),
            np.fromiter((to_epoch(h) for _, h in rows), np.int64, n),
            np.fromiter((t[0] for t in rows.values()), np.int64, n),
            np.fromiter((t[1] for t in rows.values()), np.float64, n),
        )

    def _mapping(self) -> dict[tuple[str, datetime], Totals]:
        if self._dict is None:
            stamps = {e: from_epoch(e) for e in set(self.epochs.tolist())}
            distinct = self.distinct
            self._dict = {
                (distinct[i], stamps[e]): Totals(c, r)
                for i, e, c, r in zip(
                    self.index.tolist(),
                    self.epochs.tolist(),
                    self.counts.tolist(),
                    self.revenue.tolist(),
                    strict=True,
                )
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
        raise ValueError(f"grain='day' reads whole UTC days: {start} and {end} must be midnights")


def check_ranges(ranges: Sequence[tuple[datetime, datetime]]) -> None:
    """ValueError unless the ranges are whole hours [lo, hi), ascending and disjoint (a cell
    in two ranges would be counted twice)."""
    previous = None
    for lo, hi in ranges:
        if lo != hour_floor(lo) or hi != hour_floor(hi) or hi < lo:
            raise ValueError(f"read_ranges reads whole hours: [{lo}, {hi}) is not one")
        if previous is not None and lo < previous:
            raise ValueError(
                f"read_ranges needs ascending, disjoint ranges: [{lo}, {hi}) "
                f"starts before {previous}"
            )
        previous = hi


def check_values(values) -> None:
    """TypeError unless `values` is None or a collection of str (not one str)."""
    if values is None:
        return
    if isinstance(values, str | bytes) or not all(isinstance(v, str) for v in values):
        raise TypeError(f"values must be a list of str or None, not {values!r}")


def check_deltas(deltas: Mapping[CounterKey, Totals]) -> None:
    """ValueError if a delta uses value "" under a dimension: that name is the dimension's
    sum (ALL_VALUES), which only the store itself may write."""
    for k in deltas:
        if k.dimension and not k.value:
            raise ValueError(
                f"value '' under dimension {k.dimension!r} ({k.metric}, {k.hour}) "
                "is reserved for the sum over the dimension's values"
            )


def select_values(cells: Cells, dimension: str, values: Collection[str] | None) -> Cells:
    """`values` of read(), answered from every value's cells: for backends (and views) that
    read a dimension's every value anyway and add up its sum (ALL_VALUES) themselves."""
    check_values(values)
    if values is None:
        return cells
    wanted = dict.fromkeys(values)
    slots = {v: i for i, v in enumerate(cells.distinct)}
    keep = [v for v in wanted if v in slots and (v or not dimension)]
    mask = np.isin(cells.index, [slots[v] for v in keep])
    renumber = np.zeros(len(cells.distinct), np.int64)
    renumber[[slots[v] for v in keep]] = np.arange(len(keep))
    distinct, index = keep, renumber[cells.index[mask]]
    epochs, counts, revenue = cells.epochs[mask], cells.counts[mask], cells.revenue[mask]
    if dimension and ALL_VALUES in wanted and len(cells):
        hours, at = np.unique(cells.epochs, return_inverse=True)
        distinct = [*keep, ALL_VALUES]
        index = np.concatenate([index, np.full(len(hours), len(keep), np.int64)])
        epochs = np.concatenate([epochs, hours])
        counts = np.concatenate(
            [counts, np.bincount(at, cells.counts, len(hours)).astype(np.int64)]
        )
        revenue = np.concatenate([revenue, np.bincount(at, cells.revenue, len(hours))])
    if not len(counts):
        return Cells.empty()
    return Cells(distinct, index, epochs, counts, revenue)


class CounterStore(Protocol):
    def increment(self, flush_id: str, deltas: Mapping[CounterKey, Totals]) -> None:
        """Add every delta, atomically per flush as far as the backend allows, exactly once
        per flush_id (a repeated flush_id is a no-op). The day roll-ups and the dimension sums
        move with it. ValueError (nothing written) for value "" under a dimension."""

    def read(
        self,
        account_id: str,
        metric: str,
        dimension: str,
        start: datetime,
        end: datetime,
        grain: str = "hour",
        values: Collection[str] | None = None,
    ) -> Cells:
        """Sums per (value, hour) for hours in [start, end) (naive UTC), as Cells.

        values: only these values' cells (None: every value). Under a dimension, ALL_VALUES
        among them adds the dimension's sum per hour (or day) that has any value, keyed
        ALL_VALUES; values=None never answers it. Under dimension "" ALL_VALUES is the total,
        the one value there is.

        grain="day": sums per (value, day) for the UTC days in [start, end), each keyed by its
        midnight; start and end must be midnights (ValueError otherwise). A day's sums equal
        the sums of its 24 hours."""

    def read_ranges(
        self,
        account_id: str,
        metric: str,
        dimension: str,
        ranges: Sequence[tuple[datetime, datetime]],
        values: Collection[str] | None = None,
    ) -> Cells:
        """read() of the hour cells in several ranges [lo, hi) at once (whole hours, ascending,
        disjoint): a series in a zone whose days cut UTC days reads a few hours of every day
        (90 ranges for 90 days in Kolkata), and a read() per range cost more than its cells."""

    def close(self) -> None: ...

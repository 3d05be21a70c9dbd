"""Counter cells -> per-bucket grids: reads what a BucketPlan names (day cells, hour cells) and
adds each cell to its bucket, or takes it away from the bucket a day cell was credited to.

Works on the columns of read()'s Cells (a cell's bucket is a lookup in the plan's arrays by
its epoch), so no Python object is made per cell."""

from __future__ import annotations

from datetime import datetime

import numpy as np

from backend.analytics.timebuckets import BucketPlan
from backend.counters.base import Cells, CounterStore, select_values, to_epoch


class _Grid:
    """Contributions (value slot, bucket, count, revenue), gathered as arrays per read."""

    def __init__(self, buckets: int):
        self.n = buckets
        self.slots: dict[str, int] = {}
        self.parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    def add(self, cells: Cells, positions: np.ndarray, sign: int = 1) -> None:
        """Add (sign=-1: take away) each cell at the bucket in `positions` (one per cell, in
        the cells' order); a position below 0 skips its cell."""
        slots = self.slots
        remap = np.fromiter(
            (slots.setdefault(v, len(slots)) for v in cells.distinct), np.int64, len(cells.distinct)
        )
        vi, counts, revenue = remap[cells.index], cells.counts, cells.revenue
        keep = positions >= 0
        if not keep.all():
            vi, positions, counts, revenue = vi[keep], positions[keep], counts[keep], revenue[keep]
        if sign < 0:
            counts, revenue = -counts, -revenue
        self.parts.append((vi * self.n + positions, counts, revenue))

    def arrays(self) -> tuple[list[str], np.ndarray, np.ndarray]:
        n, size = self.n, len(self.slots) * self.n
        if not size:
            return [], np.zeros((0, n), dtype=np.int64), np.zeros((0, n))
        idx = np.concatenate([p[0] for p in self.parts])
        # bincount sums in float64: exact for counts below 2**53
        counts = np.bincount(idx, np.concatenate([p[1] for p in self.parts]), size)
        revenue = np.bincount(idx, np.concatenate([p[2] for p in self.parts]), size)
        return list(self.slots), counts.astype(np.int64).reshape(-1, n), revenue.reshape(-1, n)


class DayCells(Cells):
    """Every value's day cells over the UTC days [first, end): a read to share (see grid)."""

    __slots__ = ("first", "end")

    @classmethod
    def read(
        cls,
        counters: CounterStore,
        account_id: str,
        metric: str,
        dimension: str,
        first: datetime,
        end: datetime,
    ) -> DayCells:
        c = Cells.of(counters.read(account_id, metric, dimension, first, end, grain="day"))
        out = cls(c.distinct, c.index, c.epochs, c.counts, c.revenue)
        out.first, out.end = first, end
        return out

    def covers(self, lo: datetime, hi: datetime) -> bool:
        return self.first <= lo and hi <= self.end


def _within(cells: Cells, lo: int, hi: int) -> Cells:
    """The cells whose epoch is in [lo, hi)."""
    keep = (cells.epochs >= lo) & (cells.epochs < hi)
    if keep.all():
        return cells
    return Cells(
        cells.distinct,
        cells.index[keep],
        cells.epochs[keep],
        cells.counts[keep],
        cells.revenue[keep],
    )


def grid(
    counters: CounterStore,
    account_id: str,
    metric: str,
    dimension: str,
    bp: BucketPlan,
    values: list[str] | None = None,
    day_cells: DayCells | None = None,
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """(values, counts[value, bucket], revenue[value, bucket]) of one dimension over the plan,
    of every value or only of `values` (see CounterStore.read, ALL_VALUES included).

    day_cells: every value's day cells, already read over some days; used instead of reading
    the plan's day cells again when they cover them.

    Values whose counts are zero in every bucket are left out: they only had events outside
    the range, inside a day cell that the hour cells then took back out."""
    g = _Grid(len(bp.labels))
    if bp.day_range is not None:
        lo, hi = bp.day_range
        if day_cells is not None and day_cells.covers(lo, hi):
            cells = select_values(_within(day_cells, to_epoch(lo), to_epoch(hi)), dimension, values)
        else:  # Cells.of: a store wrapper may answer a plain dict
            cells = Cells.of(
                counters.read(account_id, metric, dimension, lo, hi, grain="day", values=values)
            )
        g.add(cells, bp.day_buckets[(cells.epochs - to_epoch(lo)) // 86400])
    hours = Cells.empty()
    if bp.hour_ranges:
        # A range of hours per edge of a bucket (90 for 90 days in Kolkata), read in one call
        hours = Cells.of(
            counters.read_ranges(account_id, metric, dimension, bp.hour_ranges, values=values)
        )
    if len(hours):
        at = (hours.epochs - to_epoch(bp.hour_ranges[0][0])) // 3600
        g.add(hours, bp.hour_plus[at])
        g.add(hours, bp.hour_minus[at], sign=-1)
    values, counts, revenue = g.arrays()
    keep = counts.any(axis=1)
    if not keep.all():
        values = [v for v, k in zip(values, keep, strict=True) if k]
        counts, revenue = counts[keep], revenue[keep]
    return values, counts, revenue

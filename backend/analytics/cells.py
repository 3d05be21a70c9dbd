"""Counter cells -> per-bucket grids: reads what a BucketPlan names (day cells, hour cells) and
adds each cell to its bucket, or takes it away from the bucket a day cell was credited to.

Works on the columns of read()'s Cells (a cell's bucket is a lookup in the plan's arrays by
its epoch), so no Python object is made per cell."""

from __future__ import annotations

import numpy as np

from backend.analytics.timebuckets import BucketPlan
from backend.counters.base import Cells, CounterStore, to_epoch


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
        remap = np.fromiter((slots.setdefault(v, len(slots)) for v in cells.distinct),
                            np.int64, len(cells.distinct))
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


def _merged(parts: list[Cells]) -> Cells:
    """The cells of several reads as one Cells (their values renumbered into one list)."""
    parts = [p for p in parts if len(p)]
    if len(parts) < 2:
        return parts[0] if parts else Cells.empty()
    slots: dict[str, int] = {}
    index = []
    for p in parts:
        remap = np.fromiter((slots.setdefault(v, len(slots)) for v in p.distinct), np.int64,
                            len(p.distinct))
        index.append(remap[p.index])
    return Cells(list(slots), np.concatenate(index),
                 *(np.concatenate([getattr(p, c) for p in parts])
                   for c in ("epochs", "counts", "revenue")))


def grid(counters: CounterStore, account_id: str, metric: str, dimension: str,
         bp: BucketPlan) -> tuple[list[str], np.ndarray, np.ndarray]:
    """(values, counts[value, bucket], revenue[value, bucket]) of one dimension over the plan.

    Values whose counts are zero in every bucket are left out: they only had events outside
    the range, inside a day cell that the hour cells then took back out."""
    g = _Grid(len(bp.labels))
    if bp.day_range is not None:
        lo, hi = bp.day_range
        # Cells.of: a store wrapper (e.g. a dashboard's country view) may answer a plain dict
        cells = Cells.of(counters.read(account_id, metric, dimension, lo, hi, grain="day"))
        g.add(cells, bp.day_buckets[(cells.epochs - to_epoch(lo)) // 86400])
    # One ranged read per edge of a bucket (30 for 30 days in New York): merge them first and
    # place all their cells at once, a fixed cost per query rather than per range.
    hours = _merged([Cells.of(counters.read(account_id, metric, dimension, lo, hi))
                     for lo, hi in bp.hour_ranges])
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

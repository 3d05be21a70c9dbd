"""Counter cells -> per-bucket grids: reads what a BucketPlan names (day cells, hour cells) and
adds each cell to its bucket, or takes it away from the bucket a day cell was credited to."""

from __future__ import annotations

from itertools import repeat
from operator import itemgetter

import numpy as np

from backend.analytics.timebuckets import BucketPlan
from backend.counters.base import CounterStore

_first, _second = itemgetter(0), itemgetter(1)


class _Grid:
    """Contributions (value slot, bucket, count, revenue), gathered as arrays per read."""

    def __init__(self, buckets: int):
        self.n = buckets
        self.slots: dict[str, int] = {}
        self.parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []

    def add(self, rows: dict, positions: np.ndarray, sign: int = 1) -> None:
        """Add (sign=-1: take away) each cell of `rows` at the bucket in `positions`, in the
        order of `rows`; a position below 0 skips its cell."""
        slots = self.slots
        for value in map(_first, rows):
            if value not in slots:
                slots[value] = len(slots)
        size = len(rows)
        vi = np.fromiter(map(slots.__getitem__, map(_first, rows)), np.int64, size)
        counts = np.fromiter(map(_first, rows.values()), np.float64, size)
        revenue = np.fromiter(map(_second, rows.values()), np.float64, size)
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


def grid(counters: CounterStore, account_id: str, metric: str, dimension: str,
         bp: BucketPlan) -> tuple[list[str], np.ndarray, np.ndarray]:
    """(values, counts[value, bucket], revenue[value, bucket]) of one dimension over the plan.

    Values whose counts are zero in every bucket are left out: they only had events outside
    the range, inside a day cell that the hour cells then took back out."""
    g = _Grid(len(bp.labels))
    if bp.day_range is not None:
        rows = counters.read(account_id, metric, dimension, *bp.day_range, grain="day")
        g.add(rows, np.fromiter(map(bp.days.get, map(_second, rows), repeat(-1)), np.int64,
                                len(rows)))
    for lo, hi in bp.hour_ranges:
        rows = counters.read(account_id, metric, dimension, lo, hi)
        if rows:
            where = np.array(list(map(bp.hours.__getitem__, map(_second, rows))),
                             dtype=np.int64)
            g.add(rows, where[:, 0])
            g.add(rows, where[:, 1], sign=-1)
    values, counts, revenue = g.arrays()
    keep = counts.any(axis=1)
    if not keep.all():
        values = [v for v, k in zip(values, keep, strict=True) if k]
        counts, revenue = counts[keep], revenue[keep]
    return values, counts, revenue

"""A log-bucketed latency histogram (HDR-style): constant memory, mergeable, ~1% error.

Each value (microseconds) falls in bucket floor(ln(v) * 100), so a bucket spans 1% of its
value from 1 us to hours; a percentile answers the bucket's upper edge (never optimistic),
capped at the exact maximum. Histograms of generator windows merge by adding counts, which is
what the report's per-window and whole-run percentiles need."""

from __future__ import annotations

import math

SCALE = 100.0  # buckets per e-fold: 1.005% wide


class Histogram:
    __slots__ = ("buckets", "count", "total_us", "max_us")

    def __init__(self) -> None:
        self.buckets: dict[int, int] = {}
        self.count = 0
        self.total_us = 0
        self.max_us = 0

    def record(self, micros: float) -> None:
        v = max(1, int(micros))
        k = int(math.log(v) * SCALE)
        self.buckets[k] = self.buckets.get(k, 0) + 1
        self.count += 1
        self.total_us += v
        if v > self.max_us:
            self.max_us = v

    def merge(self, other: Histogram) -> Histogram:
        for k, n in other.buckets.items():
            self.buckets[k] = self.buckets.get(k, 0) + n
        self.count += other.count
        self.total_us += other.total_us
        self.max_us = max(self.max_us, other.max_us)
        return self

    def percentile(self, q: float) -> float:
        """The q-th percentile (0-100) in milliseconds; 0 for an empty histogram."""
        if not self.count:
            return 0.0
        rank = max(1, math.ceil(self.count * q / 100.0))
        seen = 0
        for k in sorted(self.buckets):
            seen += self.buckets[k]
            if seen >= rank:
                return min(math.exp((k + 1) / SCALE), self.max_us) / 1000.0
        return self.max_us / 1000.0

    def summary(self) -> dict[str, float]:
        return {
            "count": self.count,
            "mean": round(self.total_us / self.count / 1000.0, 3) if self.count else 0.0,
            "p50": round(self.percentile(50), 3),
            "p95": round(self.percentile(95), 3),
            "p99": round(self.percentile(99), 3),
            "p999": round(self.percentile(99.9), 3),
            "max": round(self.max_us / 1000.0, 3),
        }

    def to_json(self) -> dict:
        return {
            "b": {str(k): n for k, n in self.buckets.items()},
            "n": self.count,
            "s": self.total_us,
            "m": self.max_us,
        }

    @classmethod
    def from_json(cls, raw: dict) -> Histogram:
        h = cls()
        h.buckets = {int(k): n for k, n in raw["b"].items()}
        h.count, h.total_us, h.max_us = raw["n"], raw["s"], raw["m"]
        return h

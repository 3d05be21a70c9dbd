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
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import NamedTuple, Protocol

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
    ) -> dict[tuple[str, datetime], Totals]:
        """Sums per (value, hour) for hours in [start, end) (naive UTC).

        grain="day": sums per (value, day) for the UTC days in [start, end), each keyed by its
        midnight; start and end must be midnights (ValueError otherwise). A day's sums equal
        the sums of its 24 hours."""

    def close(self) -> None: ...

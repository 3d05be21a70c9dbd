"""The counter interface: what Cassandra counters can do, and no more (ARCHITECTURE rule 4).

A counter is addressed by (account, metric, dimension, value, hour). The total of a metric
uses dimension "" and value "". Hours are naive UTC datetimes on the hour.

increment() is idempotent per flush id: applying the same flush twice changes nothing.
That is what makes the ingest pipeline exactly-once when a crash lands between a flush
and its acknowledgement (see docs/ingestion.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import NamedTuple, Protocol


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


class CounterStore(Protocol):
    def increment(self, flush_id: str, deltas: Mapping[CounterKey, Totals]) -> None:
        """Add every delta, atomically per flush as far as the backend allows, exactly once
        per flush_id (a repeated flush_id is a no-op)."""

    def read(
        self, account_id: str, metric: str, dimension: str, start: datetime, end: datetime
    ) -> dict[tuple[str, datetime], Totals]:
        """Sums per (value, hour) for hours in [start, end) (naive UTC)."""

    def close(self) -> None: ...

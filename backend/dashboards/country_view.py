"""A read-only view of a counter store restricted to one country.

Counters are kept per metric x one dimension, so a metric's counts in one country are its
("country", code) counters. Seen through this view they are the metric's total, and
backend.analytics.series() answers country-filtered queries unchanged. Counts by another
dimension cannot be split by country (no metric x campaign x country counters), so the view
refuses them rather than answering wrongly.
"""

from __future__ import annotations

from datetime import datetime

from backend.counters.base import CounterStore, Totals


class NotByCountry(ValueError):
    pass


class CountryView:
    def __init__(self, inner: CounterStore, country: str):
        self.inner = inner
        self.country = country

    def read(self, account_id: str, metric: str, dimension: str, start: datetime,
             end: datetime, grain: str = "hour") -> dict[tuple[str, datetime], Totals]:
        if dimension not in ("", "country"):
            raise NotByCountry(f"counts by {dimension} cannot be filtered by country")
        rows = self.inner.read(account_id, metric, "country", start, end, grain)
        return {(value if dimension else "", hour): t for (value, hour), t in rows.items()
                if value == self.country}

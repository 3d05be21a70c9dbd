"""A read-only view of a counter store restricted to one country.

Counters are kept per metric x one dimension, so a metric's counts in one country are its
("country", code) counters. Seen through this view they are the metric's total, and
backend.analytics.series() answers country-filtered queries unchanged. Counts by another
dimension cannot be split by country (no metric x campaign x country counters), so the view
refuses them rather than answering wrongly.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from backend.counters.base import Cells, CounterStore, select_values


class NotByCountry(ValueError):
    pass


class CountryView:
    def __init__(self, inner: CounterStore, country: str):
        self.inner = inner
        self.country = country

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
        if dimension not in ("", "country"):
            raise NotByCountry(f"counts by {dimension} cannot be filtered by country")
        return self._as_view(
            dimension,
            values,
            self.inner.read(
                account_id, metric, "country", start, end, grain, values=[self.country]
            ),
        )

    def read_ranges(
        self,
        account_id: str,
        metric: str,
        dimension: str,
        ranges: Sequence[tuple[datetime, datetime]],
        values: Collection[str] | None = None,
    ) -> Cells:
        if dimension not in ("", "country"):
            raise NotByCountry(f"counts by {dimension} cannot be filtered by country")
        return self._as_view(
            dimension,
            values,
            self.inner.read_ranges(account_id, metric, "country", ranges, values=[self.country]),
        )

    @staticmethod
    def _as_view(dimension: str, values: Collection[str] | None, cells: Cells) -> Cells:
        if not dimension:  # the country's cells are the metric's total in this view
            cells = Cells(
                [""] * len(cells.distinct), cells.index, cells.epochs, cells.counts, cells.revenue
            )
        return select_values(cells, dimension, values)

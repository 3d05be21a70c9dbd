"""A metric's time series from the counters (UTC day cells, and hour cells where a local
bucket edge cuts a UTC day: see timebuckets.py and cells.py): the query behind every chart
and GET /api/metrics/<name>/series.

series() returns a tidy DataFrame (key, t, count, revenue), one row per series and bucket,
empty buckets filled with zeros. With `by`, the `top` values of that dimension (ranked by
`measure` over the whole range) are their own series, the remaining values are summed into
one series keyed OTHER_KEY, and events without a value for the dimension (e.g. no known
country) form a series keyed None, so the series always add up to the metric's total.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from backend.analytics.cells import DayCells, grid
from backend.analytics.errors import InvalidQuery
from backend.analytics.timebuckets import INTERVALS, BucketPlan, plan, zone
from backend.counters.base import ALL_VALUES, CounterStore

OTHER_KEY = "$other"  # the series of every value outside the top N ("$" names are reserved)
MEASURES = ("count", "revenue")
MAX_TOP = 100
MAX_DAYS = {"hour": 366, "day": 3 * 366, "week": 3 * 366, "month": 3 * 366}
DEFAULT_DAYS = 30
COLUMNS = ["key", "t", "count", "revenue"]


@dataclass(frozen=True)
class SeriesQuery:
    """A validated series query (see series() for the meaning of each field)."""

    start: date
    end: date
    interval: str = "day"
    tz: str = "UTC"
    by: str | None = None
    top: int = 10
    measure: str = "count"

    def __post_init__(self) -> None:
        if self.interval not in INTERVALS:
            raise InvalidQuery(
                "interval", f"must be one of {', '.join(INTERVALS)}, not {self.interval!r}"
            )
        zone(self.tz)
        if self.end < self.start:
            raise InvalidQuery("end", f"{self.end} is before start ({self.start})")
        days = (self.end - self.start).days + 1
        if days > MAX_DAYS[self.interval]:
            raise InvalidQuery(
                "start",
                f"the range from start to end is {days} days long; "
                f"at most {MAX_DAYS[self.interval]} days with "
                f"interval={self.interval}",
            )
        if self.by is not None and (not isinstance(self.by, str) or not self.by):
            raise InvalidQuery("by", "must be a dimension name")
        if (
            isinstance(self.top, bool)
            or not isinstance(self.top, int)
            or not 1 <= self.top <= MAX_TOP
        ):
            raise InvalidQuery("top", f"must be an integer from 1 to {MAX_TOP}")
        if self.measure not in MEASURES:
            raise InvalidQuery("measure", f"must be one of {', '.join(MEASURES)}")

    @classmethod
    def from_params(cls, params: Mapping[str, str], today: date | None = None) -> SeriesQuery:
        """Parse query-string values; defaults: the 30 days up to today in tz, by day."""
        tz = params.get("tz") or "UTC"
        if today is None:
            today = datetime.now(zone(tz)).date()
        start, end = _date(params, "start"), _date(params, "end")
        if end is None:
            end = today if start is None else max(today, start)
        if start is None:
            start = end - timedelta(days=DEFAULT_DAYS - 1)
        top = params.get("top") or "10"
        if not top.isdigit():
            raise InvalidQuery("top", f"must be an integer from 1 to {MAX_TOP}, not {top!r}")
        return cls(
            start=start,
            end=end,
            interval=params.get("interval") or "day",
            tz=tz,
            by=params.get("by") or None,
            top=int(top),
            measure=params.get("measure") or "count",
        )


def _date(params: Mapping[str, str], name: str) -> date | None:
    raw = params.get(name)
    if raw is None or raw == "":
        return None
    try:
        if len(raw) != 10:
            raise ValueError
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidQuery(name, f"must be a date as YYYY-MM-DD, not {raw!r}") from None


def run(counters: CounterStore, account_id: str, metric: str, q: SeriesQuery) -> pd.DataFrame:
    """series() for an already validated SeriesQuery."""
    bp = plan(q.start, q.end, q.interval, q.tz)
    n = len(bp.labels)
    _, tc, tr = grid(counters, account_id, metric, "", bp)
    total_c = tc.sum(axis=0) if len(tc) else np.zeros(n, dtype=np.int64)
    total_r = tr.sum(axis=0) if len(tr) else np.zeros(n)
    keys: list[str | None]
    if q.by is None:
        keys, counts, revenue = [None], total_c[None, :], total_r[None, :]
    else:
        # Day cells only (whole UTC days): every value's cells are few, read them all. Hour
        # cells: read only the top values' and the dimension's sum's (3x fewer for 30 days by
        # hour by country), once the values are ranked from the range's day cells.
        split = _by_top_values if bp.hour_ranges else _by_every_value
        keys, top_c, top_r, other, sum_c, sum_r = split(counters, account_id, metric, q, bp)
        parts_c, parts_r = [top_c], [top_r]
        if other is not None:
            keys.append(OTHER_KEY)
            parts_c.append(other[0][None, :])
            parts_r.append(other[1][None, :])
        # Events without a value for the dimension: the total less the sum over its values.
        missing = total_c - sum_c
        if (missing > 0).any():
            keys.append(None)
            parts_c.append(missing[None, :])
            parts_r.append((total_r - sum_r)[None, :])
        counts, revenue = np.vstack(parts_c), np.vstack(parts_r)
    # + 0.0 turns a -0.0 left by the subtraction into 0.0
    revenue = np.round(revenue, 2) + 0.0
    key_column = np.empty(len(keys), dtype=object)
    key_column[:] = keys
    # Fresh arrays, in COLUMNS order: copy=False and no columns= (a reindex) keep the frame's
    # construction, a fixed cost of every query, small.
    return pd.DataFrame(
        {
            "key": pd.Series(key_column.repeat(n), dtype=object, copy=False),  # keeps None
            # from the labels' instants: no parsing of datetime objects
            "t": pd.DatetimeIndex(
                np.tile(bp.label_us, len(keys)).astype("datetime64[us]"), tz="UTC"
            ).tz_convert(q.tz),
            "count": counts.reshape(-1),
            "revenue": revenue.reshape(-1),
        },
        copy=False,
    )


# What both ways of splitting a metric by a dimension answer: the top values (ranked by the
# measure over the whole range, ties by name) with their counts and revenue per bucket, the
# other values' sums per bucket (None when there are no other values) and the sums over
# every value per bucket.
Split = tuple[
    list, np.ndarray, np.ndarray, tuple[np.ndarray, np.ndarray] | None, np.ndarray, np.ndarray
]


def _ranked(
    values: list[str], counts: np.ndarray, revenue: np.ndarray, q: SeriesQuery
) -> list[int]:
    ranking = (counts if q.measure == "count" else revenue).sum(axis=1).tolist()
    return sorted(range(len(values)), key=lambda i: (-ranking[i], values[i]))


def _by_every_value(
    counters: CounterStore, account_id: str, metric: str, q: SeriesQuery, bp: BucketPlan
) -> Split:
    values, vc, vr = grid(counters, account_id, metric, q.by, bp)
    order = _ranked(values, vc, vr, q)
    top, rest = order[: q.top], order[q.top :]
    other = (vc[rest].sum(axis=0), vr[rest].sum(axis=0)) if rest else None
    n = len(bp.labels)
    sums = (vc.sum(axis=0), vr.sum(axis=0)) if len(vc) else (np.zeros(n, np.int64), np.zeros(n))
    return [values[i] for i in top], vc[top], vr[top], other, *sums


def _by_top_values(
    counters: CounterStore, account_id: str, metric: str, q: SeriesQuery, bp: BucketPlan
) -> Split:
    # Every value's day cells, read once: they rank the values and give the top values' and
    # the sum's day cells (select_values adds the sum up from them).
    days = None
    if bp.day_range is not None:
        days = DayCells.read(counters, account_id, metric, q.by, *bp.day_range)
    values, rc, rr = grid(
        counters, account_id, metric, q.by, plan(q.start, q.end, "range", q.tz), day_cells=days
    )
    top = [values[i] for i in _ranked(values, rc, rr, q)[: q.top]]
    got, vc, vr = grid(
        counters, account_id, metric, q.by, bp, values=[*top, ALL_VALUES], day_cells=days
    )
    row = {v: i for i, v in enumerate(got)}
    n = len(bp.labels)
    zeros_c, zeros_r = np.zeros(n, np.int64), np.zeros(n)

    def pick(value: str) -> tuple[np.ndarray, np.ndarray]:
        i = row.get(value)
        return (zeros_c, zeros_r) if i is None else (vc[i], vr[i])

    top_c = np.array([pick(v)[0] for v in top], np.int64).reshape(len(top), n)
    top_r = np.array([pick(v)[1] for v in top], np.float64).reshape(len(top), n)
    sum_c, sum_r = pick(ALL_VALUES)
    other = None
    if len(values) > len(top):
        other = (sum_c - top_c.sum(axis=0), sum_r - top_r.sum(axis=0))
    return top, top_c, top_r, other, sum_c, sum_r


def series(
    counters: CounterStore,
    account_id: str,
    metric: str,
    start: date,
    end: date,
    interval: str = "day",
    tz: str = "UTC",
    by: str | None = None,
    top: int = 10,
    measure: str = "count",
) -> pd.DataFrame:
    """Counts and revenue of `metric` per local `interval` bucket of [start, end] in `tz`.

    start and end are inclusive calendar dates in tz; buckets start at local midnight,
    on Mondays (week) or on the 1st (month), labelled by that start even when the range
    covers only part of the bucket. Raises InvalidQuery naming the bad parameter."""
    q = SeriesQuery(start, end, interval, tz, by, top, measure)
    return run(counters, account_id, metric, q)


def series_json(metric: str, interval: str, df: pd.DataFrame) -> dict:
    """The docs/api.md body: {"metric", "interval", "series": [{"key", "points": [{t, count,
    revenue}]}]}, series in the frame's order."""
    out: list[dict] = []
    current: dict | None = None
    stamps = [ts.isoformat() for ts in df["t"]]
    for key, t, c, r in zip(
        df["key"], stamps, df["count"].tolist(), df["revenue"].tolist(), strict=True
    ):
        if current is None or current["key"] != key:
            current = {"key": key, "points": []}
            out.append(current)
        current["points"].append({"t": t, "count": c, "revenue": r})
    return {"metric": metric, "interval": interval, "series": out}

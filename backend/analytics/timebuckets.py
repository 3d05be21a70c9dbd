"""Local calendar buckets over UTC counters (hour, day, ISO week, month) in any IANA zone,
and which counter cells to read for them.

Counters are kept per UTC hour, with a roll-up per UTC day. A query's range is
[start 00:00, end+1 00:00) in the zone, converted to UTC (zoneinfo handles DST), and each UTC
hour goes to the local bucket that contains the hour's start. In zones whose offset is not
whole hours (Asia/Kolkata) an hour straddles local midnight; it then counts on the day in
which it starts. So every bucket is a run of whole UTC hours [edges[i], edges[i+1]).

The read plan (cells.py reads it) covers those runs with as few cells as it can: a UTC day
inside one bucket is its day cell; a UTC day that a bucket edge (or the range's end) cuts is
either read hour by hour, or as its day cell, credited to the bucket holding most of the day,
minus the hours that belong elsewhere, whichever reads fewer cells. In UTC, days, weeks and
months are whole UTC days: day cells only. In New York a local day is 19 hours of one UTC day
and 5 of the next: one day cell and 5 hour cells per day instead of 24 hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np

from backend.analytics.errors import InvalidQuery

INTERVALS = ("hour", "day", "week", "month")
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_US = timedelta(microseconds=1)


def zone(tz: str) -> ZoneInfo:
    """The IANA zone named `tz`, or InvalidQuery("tz", ...)."""
    if not isinstance(tz, str) or not tz or len(tz) > 64:
        raise InvalidQuery("tz", f"unknown time zone {tz!r}")
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise InvalidQuery(
            "tz", f"unknown time zone {tz!r}; use an IANA name such as 'Europe/Paris' or 'UTC'"
        ) from None


def _ceil_hour(ts: datetime) -> datetime:
    floor = ts.replace(minute=0, second=0, microsecond=0)
    return floor if floor == ts else floor + HOUR


def _utc(local: datetime) -> datetime:
    return local.astimezone(UTC).replace(tzinfo=None)


def _midnight(ts: datetime) -> datetime:
    return ts.replace(hour=0, minute=0, second=0, microsecond=0)


def _bucket_date(d: date, interval: str) -> date:
    if interval == "week":
        return d - timedelta(days=d.weekday())  # ISO weeks start on Monday
    if interval == "month":
        return d.replace(day=1)
    return d


def _next_bucket(d: date, interval: str) -> date:
    if interval == "week":
        return d + timedelta(days=7)
    if interval == "month":
        return (d.replace(day=28) + timedelta(days=4)).replace(day=1)
    return d + timedelta(days=1)


@dataclass(frozen=True)
class BucketPlan:
    """The local buckets of a query, and which counter cells to read for them."""

    start_utc: datetime  # first hour of the range (naive UTC)
    end_utc: datetime  # end of the range, exclusive
    labels: tuple[datetime, ...]  # bucket starts, aware, in the query's zone, ascending
    edges: tuple[datetime, ...]  # bucket i holds the UTC hours [edges[i], edges[i+1])
    days: dict[datetime, int]  # UTC midnight -> bucket its day cell is credited to
    hour_ranges: tuple[tuple[datetime, datetime], ...]  # hour cells to read, [lo, hi)
    # For looking up many cells at once: day_buckets[k] is `days` of the k-th day of
    # day_range (-1 when not read); hour_plus[k] and hour_minus[k] are, for the k-th hour from
    # the first hour range's start, the bucket it adds to and the bucket whose day cell it is
    # taken from (-1: none; both -1 for hours between the ranges).
    day_buckets: np.ndarray
    hour_plus: np.ndarray
    hour_minus: np.ndarray
    label_us: np.ndarray  # each label's instant, microseconds since 1970 (UTC)

    @property
    def day_range(self) -> tuple[datetime, datetime] | None:
        """The UTC midnights [first, last + 1 day) spanning every day cell to read."""
        if not self.days:
            return None
        return min(self.days), max(self.days) + DAY


def _edges(start: date, end: date, interval: str, z: ZoneInfo):
    """(labels, edges) of the buckets of [start, end] in zone z."""
    start_utc = _ceil_hour(_utc(datetime.combine(start, time(0), z)))
    end_utc = _ceil_hour(_utc(datetime.combine(end + DAY, time(0), z)))
    labels: list[datetime] = []
    edges: list[datetime] = []
    if interval == "hour":
        edges = [start_utc + k * HOUR for k in range(max(0, (end_utc - start_utc) // HOUR))]
        labels = [hour.replace(tzinfo=UTC).astimezone(z) for hour in edges]
    else:
        key = _bucket_date(start, interval)
        while key <= end:
            labels.append(datetime.combine(key, time(0), z))
            edges.append(max(start_utc, _ceil_hour(_utc(labels[-1]))))
            key = _next_bucket(key, interval)
    edges.append(end_utc)
    return labels, edges


def _cells(edges: list[datetime]):
    """(days, hour_ranges, [(plus, minus)]) that read the buckets' hours with the fewest cells;
    plus and minus list each hour of the range's buckets (see BucketPlan.hour_plus)."""
    start, end = edges[0], edges[-1]
    days: dict[datetime, int] = {}
    if all(edge.hour == 0 for edge in edges):
        # Every bucket is whole UTC days (any interval but hour in UTC): each day is its own
        # bucket's day cell and no hour is read, which is what the walk below finds, slower.
        for i in range(len(edges) - 1):
            day = edges[i]
            while day < edges[i + 1]:
                days[day] = i
                day += DAY
        return days, (), []
    ranges: list[list] = []  # [lo, hi, plus, minus]
    i = 0  # the bucket holding the current hour
    day = _midnight(start)
    while day < end:
        nxt = day + DAY
        while edges[i + 1] <= day:
            i += 1
        if start <= day and nxt <= edges[i + 1]:  # the whole day in one bucket: its day cell
            days[day] = i
            day = nxt
            continue
        # Cut the day at the bucket edges inside it: (lo, hi, bucket or -1 outside the range)
        pieces = []
        lo = day
        if lo < start:
            pieces.append((lo, start, -1))
            lo = start
        while lo < nxt and lo < end:
            while edges[i + 1] <= lo:
                i += 1
            hi = min(edges[i + 1], nxt)
            pieces.append((lo, hi, i))
            lo = hi
        if lo < nxt:
            pieces.append((lo, nxt, -1))
        inside = [p for p in pieces if p[2] >= 0]
        biggest = max(inside, key=lambda p: p[1] - p[0])
        inside_hours = sum((hi - lo) // HOUR for lo, hi, _ in inside)
        # The day cell less every other piece (1 + 24 - biggest cells), or the inside hours?
        if 1 + 24 - (biggest[1] - biggest[0]) // HOUR < inside_hours or len(pieces) == 1:
            days[day] = biggest[2]
            by_hours = [p for p in pieces if p is not biggest]
        else:
            by_hours = inside
        minus = days.get(day, -1)
        for lo, hi, bucket in by_hours:
            if not ranges or ranges[-1][1] != lo:
                ranges.append([lo, lo, [], []])
            n = (hi - lo) // HOUR
            ranges[-1][1] = hi
            ranges[-1][2] += [bucket] * n
            ranges[-1][3] += [minus] * n
        day = nxt
    return (
        days,
        tuple((lo, hi) for lo, hi, _, _ in ranges),
        [(plus, minus) for _, _, plus, minus in ranges],
    )


@lru_cache(maxsize=256)
def plan(start: date, end: date, interval: str, tz: str) -> BucketPlan:
    """The bucket plan of a validated query (pure: cached, shared by every request).

    interval "range": one bucket, the whole range (what ranks a dimension's values)."""
    if interval == "range":
        z = zone(tz)
        labels, edges = _edges(start, end, "day", z)
        labels, edges = labels[:1], [edges[0], edges[-1]]
    else:
        labels, edges = _edges(start, end, interval, zone(tz))
    if interval == "hour":
        # Every bucket is one UTC hour: no day cell can save a read (see _cells), so read all
        # the hours as one range, each to its own bucket (the general walk, 2 ms for 30 days).
        n = len(labels)
        days, hour_ranges = {}, ((edges[0], edges[-1]),)
        hour_lists = [(np.arange(n), np.full(n, -1))]
    else:
        days, hour_ranges, hour_lists = _cells(edges)
    day_buckets = np.full((max(days) - min(days)) // DAY + 1 if days else 0, -1, np.int64)
    if days:
        first = min(days)
        for day, bucket in days.items():
            day_buckets[(day - first) // DAY] = bucket
    span = (hour_ranges[-1][1] - hour_ranges[0][0]) // HOUR if hour_ranges else 0
    hour_plus, hour_minus = np.full(span, -1, np.int64), np.full(span, -1, np.int64)
    for (lo, _), (plus, minus) in zip(hour_ranges, hour_lists, strict=True):
        at = (lo - hour_ranges[0][0]) // HOUR
        hour_plus[at : at + len(plus)] = plus
        hour_minus[at : at + len(minus)] = minus
    if interval == "hour":  # a label is its UTC hour
        first = (edges[0].replace(tzinfo=UTC) - _EPOCH) // _US
        label_us = first + np.arange(len(labels), dtype=np.int64) * (HOUR // _US)
    else:
        label_us = np.array([(label - _EPOCH) // _US for label in labels], np.int64)
    return BucketPlan(
        edges[0],
        edges[-1],
        tuple(labels),
        tuple(edges),
        days,
        hour_ranges,
        _frozen(day_buckets),
        _frozen(hour_plus),
        _frozen(hour_minus),
        _frozen(label_us),
    )


def _frozen(a: np.ndarray) -> np.ndarray:
    """A plan is cached and shared by every request: its arrays must not change."""
    a = np.ascontiguousarray(a)
    a.flags.writeable = False
    return a

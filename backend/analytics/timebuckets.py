"""Local calendar buckets over UTC hour counters (hour, day, ISO week, month) in any IANA zone.

Counters are kept per UTC hour. A query's range is [start 00:00, end+1 00:00) in the zone,
converted to UTC (zoneinfo handles DST), and each UTC hour goes to the local bucket that
contains the hour's start. In zones whose offset is not whole hours (Asia/Kolkata) an hour
straddles local midnight; it then counts on the day in which it starts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from backend.analytics.errors import InvalidQuery

INTERVALS = ("hour", "day", "week", "month")
HOUR = timedelta(hours=1)


def zone(tz: str) -> ZoneInfo:
    """The IANA zone named `tz`, or InvalidQuery("tz", ...)."""
    if not isinstance(tz, str) or not tz or len(tz) > 64:
        raise InvalidQuery("tz", f"unknown time zone {tz!r}")
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise InvalidQuery("tz", f"unknown time zone {tz!r}; use an IANA name such as "
                                 "'Europe/Paris' or 'UTC'") from None


def _ceil_hour(ts: datetime) -> datetime:
    floor = ts.replace(minute=0, second=0, microsecond=0)
    return floor if floor == ts else floor + HOUR


def _utc(local: datetime) -> datetime:
    return local.astimezone(UTC).replace(tzinfo=None)


def _bucket_date(d: date, interval: str) -> date:
    if interval == "week":
        return d - timedelta(days=d.weekday())  # ISO weeks start on Monday
    if interval == "month":
        return d.replace(day=1)
    return d


@dataclass(frozen=True)
class BucketPlan:
    """Which UTC hours to read, and the local bucket each one belongs to."""

    start_utc: datetime  # first hour to read (naive UTC)
    end_utc: datetime  # end of the read, exclusive
    labels: tuple[datetime, ...]  # bucket starts, aware, in the query's zone, ascending
    index: dict[datetime, int]  # UTC hour -> position in labels


@lru_cache(maxsize=256)
def plan(start: date, end: date, interval: str, tz: str) -> BucketPlan:
    """The bucket plan of a validated query (pure: cached, shared by every request)."""
    z = zone(tz)
    start_utc = _ceil_hour(_utc(datetime.combine(start, time(0), z)))
    end_utc = _ceil_hour(_utc(datetime.combine(end + timedelta(days=1), time(0), z)))
    labels: list[datetime] = []
    index: dict[datetime, int] = {}
    by_date: dict[date, int] = {}
    hour = start_utc
    while hour < end_utc:
        local = hour.replace(tzinfo=UTC).astimezone(z)
        if interval == "hour":
            index[hour] = len(labels)
            labels.append(local)
        else:
            key = _bucket_date(local.date(), interval)
            pos = by_date.get(key)
            if pos is None:
                pos = by_date[key] = len(labels)
                labels.append(datetime.combine(key, time(0), z))
            index[hour] = pos
        hour += HOUR
    return BucketPlan(start_utc, end_utc, tuple(labels), index)

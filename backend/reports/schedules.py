"""Scheduled report e-mails: a dashboard's PDF attached and its grid PNG inline, sent daily,
weekly (Mondays) or monthly (the 1st) at an hour to a list of recipients. The hour is a local
hour in the account's time zone (Account.timezone): 08:00 in New York is 13:00 UTC in winter
and 12:00 UTC in summer. next_run_at is stored in naive UTC, computed from the local calendar,
so DST changes move it; when the account's zone changes, reschedule_account() recomputes it.

Sending is claimed first: the schedule's next_run_at moves forward in one conditional
UPDATE, and only the process whose UPDATE changed the row sends. However many jobs
processes run, and across restarts, a period's report goes out once (at most once: a
failure is recorded on the schedule and the next period tries again).
"""

from __future__ import annotations

import logging
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from backend.dashboards.service import get as get_dashboard
from backend.errors import Invalid
from backend.store.db import utcnow
from backend.store.models import Account
from backend.store.report_models import ReportSchedule

log = logging.getLogger("tally.reports")
FREQUENCIES = ("daily", "weekly", "monthly")
MAX_RECIPIENTS = 50
_EMAIL = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")


class ScheduleInvalid(Invalid):
    def __init__(self, field: str, problem: str):
        super().__init__(f"{field}: {problem}")


def _utc(day: date, hour: int, z: ZoneInfo) -> datetime:
    """`hour`:00 local on `day` in zone z, as naive UTC. A local time that does not exist (the
    hour skipped when clocks go forward) maps to the hour after it; one that happens twice
    (clocks go back) maps to its first occurrence: zoneinfo's fold=0 gives both."""
    local = datetime(day.year, day.month, day.day, hour, tzinfo=z)
    return local.astimezone(UTC).replace(tzinfo=None)


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def next_run(frequency: str, hour: int, after: datetime, tz: str = "UTC") -> datetime:
    """The first sending time strictly after `after` (naive UTC), at `hour` local time in `tz`,
    returned as naive UTC."""
    z = ZoneInfo(tz)
    today = after.replace(tzinfo=UTC).astimezone(z).date()
    if frequency == "daily":
        day, step = today, lambda d: d + timedelta(days=1)
    elif frequency == "weekly":
        day, step = today - timedelta(days=today.weekday()), lambda d: d + timedelta(days=7)
    else:
        day, step = today.replace(day=1), _next_month
    while _utc(day, hour, z) <= after:
        day = step(day)
    return _utc(day, hour, z)


def account_timezone(s: Session, account_id: str) -> str:
    return s.scalar(select(Account.timezone).where(Account.id == account_id)) or "UTC"


def _validate(body: dict) -> tuple[str, int, list[str]]:
    if not isinstance(body, dict):
        raise ScheduleInvalid("body", "must be a JSON object")
    freq = body.get("frequency")
    if freq not in FREQUENCIES:
        raise ScheduleInvalid("frequency", f"must be one of {', '.join(FREQUENCIES)}")
    hour = body.get("hour", 8)
    if isinstance(hour, bool) or not isinstance(hour, int) or not 0 <= hour <= 23:
        raise ScheduleInvalid(
            "hour", "must be an hour of the day from 0 to 23, in the account's time zone"
        )
    rec = body.get("recipients")
    if not isinstance(rec, list) or not rec or len(rec) > MAX_RECIPIENTS:
        raise ScheduleInvalid("recipients", f"must list 1 to {MAX_RECIPIENTS} e-mail addresses")
    clean = []
    for i, r in enumerate(rec):
        if not isinstance(r, str) or not _EMAIL.match(r.strip()) or len(r) > 320:
            raise ScheduleInvalid(f"recipients[{i}]", "is not an e-mail address")
        clean.append(r.strip().lower())
    return freq, hour, sorted(set(clean))


def to_json(sc: ReportSchedule, tz: str | None = None) -> dict:
    """The schedule as the API shows it; `timezone` is the zone `hour` is in (the account's,
    looked up in the schedule's session unless given)."""
    iso = lambda d: d.isoformat() + "Z" if d else None  # noqa: E731
    if tz is None:
        tz = account_timezone(Session.object_session(sc), sc.account_id)
    return {
        "dashboard_id": sc.dashboard_id,
        "frequency": sc.frequency,
        "hour": sc.hour,
        "timezone": tz,
        "recipients": sc.recipients,
        "next_run_at": iso(sc.next_run_at),
        "last_sent_at": iso(sc.last_sent_at),
        "last_error": sc.last_error,
    }


def get(s: Session, account_id: str, dashboard_id: int) -> ReportSchedule | None:
    get_dashboard(s, account_id, dashboard_id)  # 404 for another account's dashboard
    return s.scalar(select(ReportSchedule).where(ReportSchedule.dashboard_id == dashboard_id))


def put(
    s: Session, account_id: str, dashboard_id: int, body: dict, now: datetime | None = None
) -> ReportSchedule:
    freq, hour, recipients = _validate(body)
    tz = account_timezone(s, account_id)
    sc = get(s, account_id, dashboard_id)
    if sc is None:
        sc = ReportSchedule(account_id=account_id, dashboard_id=dashboard_id)
        s.add(sc)
    sc.frequency, sc.hour, sc.recipients = freq, hour, recipients
    sc.next_run_at = next_run(freq, hour, now or utcnow(), tz)
    s.flush()
    return sc


def reschedule_account(s: Session, account_id: str, now: datetime | None = None) -> int:
    """After the account's zone changed: every schedule's next sending time, recomputed as its
    local hour in the new zone. Returns how many schedules moved."""
    tz, now = account_timezone(s, account_id), now or utcnow()
    found = s.scalars(select(ReportSchedule).where(ReportSchedule.account_id == account_id))
    moved = 0
    for sc in found:
        sc.next_run_at = next_run(sc.frequency, sc.hour, now, tz)
        moved += 1
    s.flush()
    return moved


def delete(s: Session, account_id: str, dashboard_id: int) -> bool:
    sc = get(s, account_id, dashboard_id)
    if sc is not None:
        s.delete(sc)
    return sc is not None


def claim_due(s: Session, now: datetime) -> list[int]:
    """Claim every schedule due at `now`; returns the ids this caller must send."""
    claimed = []
    due = s.execute(
        select(ReportSchedule, Account.timezone)
        .join(Account, Account.id == ReportSchedule.account_id)
        .where(ReportSchedule.next_run_at <= now)
    )
    for sc, tz in due:
        res = s.execute(
            update(ReportSchedule)
            .where(ReportSchedule.id == sc.id, ReportSchedule.next_run_at == sc.next_run_at)
            .values(next_run_at=next_run(sc.frequency, sc.hour, now, tz or "UTC"))
        )
        if res.rowcount == 1:
            claimed.append(sc.id)
    return claimed

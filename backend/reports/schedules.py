"""Scheduled report e-mails: a dashboard's PDF attached and its grid PNG inline, sent daily,
weekly (Mondays) or monthly (the 1st) at an hour (UTC) to a list of recipients.

Sending is claimed first: the schedule's next_run_at moves forward in one conditional
UPDATE, and only the process whose UPDATE changed the row sends. However many jobs
processes run, and across restarts, a period's report goes out once (at most once: a
failure is recorded on the schedule and the next period tries again).
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from backend.dashboards.service import get as get_dashboard
from backend.store.db import utcnow
from backend.store.report_models import ReportSchedule

log = logging.getLogger("tally.reports")
FREQUENCIES = ("daily", "weekly", "monthly")
MAX_RECIPIENTS = 50
_EMAIL = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")


class ScheduleInvalid(ValueError):
    def __init__(self, field: str, problem: str):
        super().__init__(f"{field}: {problem}")


def next_run(frequency: str, hour: int, after: datetime) -> datetime:
    """The first sending time strictly after `after` (naive UTC)."""
    t = after.replace(minute=0, second=0, microsecond=0, hour=hour)
    if frequency == "daily":
        return t if t > after else t + timedelta(days=1)
    if frequency == "weekly":
        t -= timedelta(days=t.weekday())
        return t if t > after else t + timedelta(days=7)
    t = t.replace(day=1)
    if t > after:
        return t
    return (t.replace(day=28) + timedelta(days=4)).replace(day=1)


def _validate(body: dict) -> tuple[str, int, list[str]]:
    if not isinstance(body, dict):
        raise ScheduleInvalid("body", "must be a JSON object")
    freq = body.get("frequency")
    if freq not in FREQUENCIES:
        raise ScheduleInvalid("frequency", f"must be one of {', '.join(FREQUENCIES)}")
    hour = body.get("hour", 8)
    if isinstance(hour, bool) or not isinstance(hour, int) or not 0 <= hour <= 23:
        raise ScheduleInvalid("hour", "must be an hour of the day from 0 to 23 (UTC)")
    rec = body.get("recipients")
    if not isinstance(rec, list) or not rec or len(rec) > MAX_RECIPIENTS:
        raise ScheduleInvalid("recipients", f"must list 1 to {MAX_RECIPIENTS} e-mail addresses")
    clean = []
    for i, r in enumerate(rec):
        if not isinstance(r, str) or not _EMAIL.match(r.strip()) or len(r) > 320:
            raise ScheduleInvalid(f"recipients[{i}]", "is not an e-mail address")
        clean.append(r.strip().lower())
    return freq, hour, sorted(set(clean))


def to_json(sc: ReportSchedule) -> dict:
    iso = lambda d: d.isoformat() + "Z" if d else None  # noqa: E731
    return {
        "dashboard_id": sc.dashboard_id,
        "frequency": sc.frequency,
        "hour": sc.hour,
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
    sc = get(s, account_id, dashboard_id)
    if sc is None:
        sc = ReportSchedule(account_id=account_id, dashboard_id=dashboard_id)
        s.add(sc)
    sc.frequency, sc.hour, sc.recipients = freq, hour, recipients
    sc.next_run_at = next_run(freq, hour, now or utcnow())
    s.flush()
    return sc


def delete(s: Session, account_id: str, dashboard_id: int) -> bool:
    sc = get(s, account_id, dashboard_id)
    if sc is not None:
        s.delete(sc)
    return sc is not None


def claim_due(s: Session, now: datetime) -> list[int]:
    """Claim every schedule due at `now`; returns the ids this caller must send."""
    claimed = []
    for sc in s.scalars(select(ReportSchedule).where(ReportSchedule.next_run_at <= now)):
        res = s.execute(
            update(ReportSchedule)
            .where(ReportSchedule.id == sc.id, ReportSchedule.next_run_at == sc.next_run_at)
            .values(next_run_at=next_run(sc.frequency, sc.hour, now))
        )
        if res.rowcount == 1:
            claimed.append(sc.id)
    return claimed

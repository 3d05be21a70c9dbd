"""Joins and leaves counted by list, UTC hour and source (list_growth): the growth chart
and "where they came from" read these counts, never the members themselves."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.accounts.timezones import get_timezone, today_in
from backend.dashboards.ranges import resolve
from backend.store.db import utcnow
from backend.store.flow_models import Flow
from backend.store.form_models import Form
from backend.store.list_models import ListGrowth, ListImport


def _upsert(session: Session):
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def record(
    session: Session,
    list_id: int,
    source: str,
    joins: int = 0,
    leaves: int = 0,
    at: datetime | None = None,
) -> None:
    """Add joins/leaves to the hour of `at` (now); one statement, safe against a concurrent
    writer of the same hour and source (the counts add up)."""
    if not joins and not leaves:
        return
    hour = (at or utcnow()).replace(minute=0, second=0, microsecond=0)
    stmt = _upsert(session)(ListGrowth).values(
        list_id=list_id, hour=hour, source=source[:60], joins=joins, leaves=leaves
    )
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=["list_id", "hour", "source"],
            set_={
                "joins": ListGrowth.joins + stmt.excluded.joins,
                "leaves": ListGrowth.leaves + stmt.excluded.leaves,
            },
        )
    )


def _utc_bounds(start: date, end: date, tz: str) -> tuple[datetime, datetime]:
    zone = ZoneInfo(tz)

    def utc(d: date) -> datetime:
        local = datetime(d.year, d.month, d.day, tzinfo=zone)
        return local.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)

    return utc(start), utc(end + timedelta(days=1))


def _rows(session: Session, list_id: int, start: date, end: date, tz: str):
    lo, hi = _utc_bounds(start, end, tz)
    return session.execute(
        select(ListGrowth.hour, ListGrowth.source, ListGrowth.joins, ListGrowth.leaves).where(
            ListGrowth.list_id == list_id, ListGrowth.hour >= lo, ListGrowth.hour < hi
        )
    ).all()


def by_day(session: Session, list_id: int, start: date, end: date, tz: str = "UTC") -> list:
    """[{"day": "YYYY-MM-DD", "joins", "leaves"}] for every day from start to end (inclusive,
    days of the account's zone), zeros included."""
    zone, utc = ZoneInfo(tz), ZoneInfo("UTC")
    days: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    for hour, _src, joins, leaves in _rows(session, list_id, start, end, tz):
        local = hour.replace(tzinfo=utc).astimezone(zone).date()
        days[local][0] += joins
        days[local][1] += leaves
    out, d = [], start
    while d <= end:
        j, lv = days.get(d, (0, 0))
        out.append({"day": d.isoformat(), "joins": j, "leaves": lv})
        d += timedelta(days=1)
    return out


def by_source(session: Session, list_id: int, start: date, end: date, tz: str = "UTC") -> list:
    """[{"source", "label", "joins", "leaves"}] over the range, most joins first."""
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for _hour, src, joins, leaves in _rows(session, list_id, start, end, tz):
        sums[src][0] += joins
        sums[src][1] += leaves
    labels = _labels(session, list(sums))
    out = [
        {"source": s, "label": labels[s], "joins": j, "leaves": lv} for s, (j, lv) in sums.items()
    ]
    return sorted(out, key=lambda r: (-r["joins"], r["label"]))


FIXED = {
    "api": "API",
    "console": "Added in Tally",
    "copy": "Copied from another list",
    "earlier": "Before sources were recorded",
    "unsubscribe": "Left from an e-mail's unsubscribe page",
    "other": "Other",
}


def _labels(session: Session, sources: list[str]) -> dict[str, str]:
    """Words for each source: 'Form "Newsletter"', 'Flow "Welcome"', 'Import "a.csv"'."""
    ids: dict[str, list[int]] = defaultdict(list)
    for src in sources:
        kind, _, num = src.partition(":")
        if num.isdigit():
            ids[kind].append(int(num))
    names: dict[str, str] = {}
    for kind, model, title in (("form", Form, "Form"), ("flow", Flow, "Flow")):
        if ids.get(kind):
            for oid, name in session.execute(
                select(model.id, model.name).where(model.id.in_(ids[kind]))
            ):
                names[f"{kind}:{oid}"] = f'{title} "{name}"'
    if ids.get("import"):
        for oid, filename, at in session.execute(
            select(ListImport.id, ListImport.filename, ListImport.created_at).where(
                ListImport.id.in_(ids["import"])
            )
        ):
            names[f"import:{oid}"] = f'Import "{filename or "CSV"}" ({at:%b %d})'
    out = {}
    for src in sources:
        kind = src.partition(":")[0]
        deleted = {"form": "A deleted form", "flow": "A deleted flow", "import": "An import"}
        out[src] = names.get(src) or FIXED.get(src) or deleted.get(kind) or src
    return out


def overview(s: Session, account_id: str, list_id: int, rng: str | dict) -> dict:
    """The list page's numbers over a dashboard range preset ("last_30_days", ...) in the
    account's time zone: {"start", "end", "joins", "leaves", "days", "sources"}."""
    tz = get_timezone(s, account_id)
    start, end = resolve(rng, today_in(tz))
    days = by_day(s, list_id, start, end, tz)
    return {
        "start": start.isoformat(),
        "end": end.isoformat(),
        "tz": tz,
        "joins": sum(d["joins"] for d in days),
        "leaves": sum(d["leaves"] for d in days),
        "days": days,
        "sources": by_source(s, list_id, start, end, tz),
    }

"""The account's metric catalogue (the Metric table the aggregator keeps) and its dimensions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.store.models import Account, Metric

BUILTIN_DIMENSIONS = ("country",)


def iso_z(ts: datetime | None) -> str | None:
    """Naive UTC -> ISO 8601 with a Z (milliseconds only when there are any)."""
    if ts is None:
        return None
    return ts.isoformat(timespec="milliseconds" if ts.microsecond else "seconds") + "Z"


def list_metrics(session: Session, account_id: str) -> list[dict]:
    """[{"name", "count", "first_seen", "last_seen"}] by name; internal "$" names left out."""
    rows = session.scalars(
        select(Metric).where(Metric.account_id == account_id).order_by(Metric.name)
    )
    return [
        {
            "name": m.name,
            "count": int(m.count),
            "first_seen": iso_z(m.first_seen),
            "last_seen": iso_z(m.last_seen),
        }
        for m in rows
        if not m.name.startswith("$")
    ]


def metric_exists(session: Session, account_id: str, name: str) -> bool:
    return session.get(Metric, (account_id, name)) is not None


def dimensions_of(session: Session, account_id: str) -> list[str]:
    """What `by` may name: country, then the event properties the account counts."""
    account = session.get(Account, account_id)
    extra = [d for d in (account.dimensions or []) if isinstance(d, str)] if account else []
    return list(BUILTIN_DIMENSIONS) + [d for d in extra if d not in BUILTIN_DIMENSIONS]

"""What a report shows: a dashboard's cards computed under the page's filters."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from backend.counters.base import CounterStore
from backend.dashboards import ranges, service
from backend.dashboards.query import CardData, card_data, effective
from backend.store.models import Account


@dataclass(frozen=True)
class Report:
    title: str
    account: str
    range_label: str
    filters_label: str
    generated_at: datetime
    cards: list[CardData] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.cards


def _range_text(rng, today: date) -> str:
    start, end = ranges.resolve(rng, today)
    span = start.isoformat() if start == end else f"{start.isoformat()} to {end.isoformat()}"
    return f"{ranges.label(rng)} ({span})"


def build_report(
    s: Session,
    counters: CounterStore,
    account_id: str,
    dashboard_id: int,
    overrides: dict | None = None,
    today: date | None = None,
) -> Report:
    """The dashboard's cards under its filters, overridden by `overrides` (range, country)
    exactly as the dashboard page applies them. Raises DashboardNotFound."""
    d = service.get(s, account_id, dashboard_id)
    today = today or datetime.now(UTC).date()
    filters = {
        **d.definition.get("filters", {}),
        **{k: v for k, v in (overrides or {}).items() if v},
    }
    filters.setdefault("range", ranges.DEFAULT_RANGE)
    cards = [card_data(counters, account_id, c, filters, today) for c in d.definition["cards"]]
    acc = s.get(Account, account_id)
    country = filters.get("country")
    return Report(
        title=d.definition["name"],
        account=acc.name if acc else account_id,
        range_label=_range_text(filters["range"], today),
        filters_label=f"Country: {country}" if country else "No filters",
        generated_at=datetime.now(UTC).replace(microsecond=0),
        cards=cards,
    )


def card_range_text(data: CardData) -> str:
    own, _ = effective(data.card, {"range": None})
    if data.start == data.end:
        return data.start.isoformat()
    return f"{data.start.isoformat()} to {data.end.isoformat()}" + (
        " (card's own range)" if own else ""
    )

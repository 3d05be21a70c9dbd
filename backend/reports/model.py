"""What a report shows: a dashboard's cards computed under the page's filters."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from backend.accounts.timezones import get_timezone, today_in
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
    generated_at: datetime  # aware, in the account's zone
    cards: list[CardData] = field(default_factory=list)
    timezone: str = "UTC"  # the account's: days, "today" and the range are in this zone

    @property
    def empty(self) -> bool:
        return not self.cards

    @property
    def timezone_label(self) -> str:
        return f"Times in {self.timezone}"

    @property
    def generated_label(self) -> str:
        return f"{self.generated_at:%d %b %Y, %H:%M} ({self.timezone})"


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
    now: datetime | None = None,
) -> Report:
    """The dashboard's cards under its filters, overridden by `overrides` (range, country)
    exactly as the dashboard page applies them: days, "today" and the range in the account's
    time zone. `now` (aware, default the clock) fixes "today" and the generated-at time for
    tests. Raises DashboardNotFound."""
    d = service.get(s, account_id, dashboard_id)
    tz = get_timezone(s, account_id)
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    today = today or today_in(tz, now)
    filters = {
        **d.definition.get("filters", {}),
        **{k: v for k, v in (overrides or {}).items() if v},
    }
    filters.setdefault("range", ranges.DEFAULT_RANGE)
    cards = [
        card_data(counters, account_id, c, filters, today, tz, session=s)
        for c in d.definition["cards"]
    ]
    acc = s.get(Account, account_id)
    country = filters.get("country")
    return Report(
        title=d.definition["name"],
        account=acc.name if acc else account_id,
        range_label=_range_text(filters["range"], today),
        filters_label=f"Country: {country}" if country else "No filters",
        generated_at=now.astimezone(ZoneInfo(tz)),
        cards=cards,
        timezone=tz,
    )


def card_range_text(data: CardData) -> str:
    own, _ = effective(data.card, {"range": None})
    if data.start == data.end:
        return data.start.isoformat()
    return f"{data.start.isoformat()} to {data.end.isoformat()}" + (
        " (card's own range)" if own else ""
    )

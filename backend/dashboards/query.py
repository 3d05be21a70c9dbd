"""A card's numbers: its definition plus the dashboard's filters -> series frames and totals,
through backend.analytics.series (the function behind GET /api/metrics/<name>/series)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pandas as pd

from backend.analytics import series
from backend.counters.base import CounterStore
from backend.dashboards import ranges
from backend.dashboards.country_view import CountryView
from backend.dashboards.schema import PREDICTION_CHARTS
from backend.predictions import cards as prediction_cards

# Cards grouped by these can honour a country filter (see country_view.py).
COUNTRY_FILTERABLE = (None, "country")


@dataclass(frozen=True)
class CardData:
    card: dict
    start: date
    end: date
    frame: pd.DataFrame  # key, t, count, revenue (analytics.series)
    previous: pd.DataFrame | None  # the same over the period before, when compare is on
    total: float
    previous_total: float | None
    country: str | None  # the country filter applied, if any
    note: str | None  # why a dashboard filter does not apply to this card
    # The buckets drawn: the card's interval, or "hour" for a one-day range (see bucketing).
    interval: str | None = None
    # Bucket starts (frame["t"] values) not whole: in progress now, or cut by the range's
    # edges (a week that began before the range). Charts draw them apart, marked "so far".
    partial: tuple = ()
    # A prediction card's figures (backend.predictions.cards.PredictionCard); None for the
    # others, and for a prediction card computed without a session (the page loads it).
    predictions: Any = None

    def __post_init__(self) -> None:
        if self.interval is None:
            object.__setattr__(self, "interval", self.card["interval"])

    @property
    def one_day(self) -> bool:
        return self.start == self.end

    @property
    def measure(self) -> str:
        return self.card["measure"]

    @property
    def change(self) -> float | None:
        """Relative change against the previous period (0.25 = +25 %), None if unknown."""
        if self.previous_total is None or self.previous_total == 0:
            return None
        return (self.total - self.previous_total) / self.previous_total


def effective(card: dict, filters: dict) -> tuple[str | dict, str | None]:
    """The range and country a card uses: its own, else the dashboard's."""
    return card.get("range") or filters["range"], card.get("country") or filters.get("country")


def _by(card: dict) -> str | None:
    if card["chart"] == "map":
        return "country"
    if card["chart"] == "number":
        return None
    return card.get("by") or None


def bucketing(card: dict, start: date, end: date) -> str:
    """The interval a card is drawn in: a one-day range (Today, Yesterday, a clicked day) is
    drawn by hour, with its comparison; by day, week or month it would be one dot (or an
    invisible area) on an axis plotly cannot label."""
    over_time = card["chart"] in ("line", "area") or (
        card["chart"] in ("bar", "table") and not card.get("by")
    )
    return "hour" if start == end and over_time else card["interval"]


def prediction_card(session, account_id: str, card: dict) -> Any:
    """A prediction card's figures from the stored predictions (no counters)."""
    return prediction_cards.load(
        session, account_id, card["chart"], card.get("clv", "total"), card["top"]
    )


def card_data(
    counters: CounterStore,
    account_id: str,
    card: dict,
    filters: dict,
    today: date,
    tz: str = "UTC",
    session=None,
) -> CardData:
    rng, country = effective(card, filters)
    start, end = ranges.resolve(rng, today)
    if card["chart"] in PREDICTION_CHARTS:
        pred = prediction_card(session, account_id, card) if session is not None else None
        size = 0 if pred is None else (pred.profiles or len(pred.customers))
        empty = pd.DataFrame({"key": [], "t": [], "count": [], "revenue": []})
        return CardData(
            card, start, end, empty, None, float(size), None, None, None, None, (), pred
        )
    by = _by(card)
    top = 100 if card["chart"] == "map" else card["top"]
    note = None
    source = counters
    if country and by not in COUNTRY_FILTERABLE:
        note = (
            f"Shows every country: counts by {by} are not kept per country, so the "
            f"{country} filter does not apply here."
        )
        country = None
    elif country:
        source = CountryView(counters, country)

    interval = bucketing(card, start, end)

    def run(s: date, e: date) -> pd.DataFrame:
        return series(
            source, account_id, card["metric"], s, e, interval, tz, by, top, card["measure"]
        )

    frame, partial = whole_buckets(run(start, end), interval, start, end, tz, today)
    total = float(frame[card["measure"]].sum())
    previous = previous_total = None
    if card["compare"]:
        ps, pe = ranges.previous(start, end)
        previous = run(ps, pe)
        previous_total = float(previous[card["measure"]].sum())
    return CardData(
        card, start, end, frame, previous, total, previous_total, country, note, interval, partial
    )


STEP = {
    "hour": pd.Timedelta(hours=1),
    "day": pd.DateOffset(days=1),
    "week": pd.DateOffset(days=7),
    "month": pd.DateOffset(months=1),
}


def whole_buckets(
    frame: pd.DataFrame, interval: str, start: date, end: date, tz: str, today: date
) -> tuple[pd.DataFrame, tuple]:
    """The frame without buckets that have not begun (today's later hours would read as a
    crash to zero), and the starts of the buckets that are not whole: the one in progress,
    and those the range's edges cut. A `today` other than the real one (a report of the
    past, a test) counts as over."""
    now = pd.Timestamp.now(tz=tz)
    if now.date() != today:
        now = pd.Timestamp(today + timedelta(days=1), tz=tz)
    lo = pd.Timestamp(start, tz=tz)
    hi = pd.Timestamp(end + timedelta(days=1), tz=tz)
    stamps = pd.DatetimeIndex(frame["t"].unique())
    ends = stamps + STEP[interval]
    begun = stamps <= now
    cut = (stamps < lo) | (ends > hi) | ((stamps <= now) & (now < ends))
    partial = tuple(stamps[begun & cut])
    if begun.all():
        return frame, partial
    return frame[frame["t"].isin(stamps[begun])].reset_index(drop=True), partial


def bucket_range(t: date, interval: str) -> dict:
    """The custom range covering one bucket (drill-down on a point or bar of a time axis)."""
    if interval == "week":
        end = t + timedelta(days=6)
    elif interval == "month":
        nxt = (t.replace(day=28) + timedelta(days=4)).replace(day=1)
        end = nxt - timedelta(days=1)
    else:
        end = t
    return {"start": t.isoformat(), "end": end.isoformat()}


def dashboard_data(
    counters: CounterStore,
    account_id: str,
    definition: dict,
    filters: dict,
    today: date,
    tz: str = "UTC",
) -> dict[str, CardData]:
    """Every card of a dashboard under `filters` (the dashboard's, or a drill-down's)."""
    return {
        c["id"]: card_data(counters, account_id, c, filters, today, tz) for c in definition["cards"]
    }

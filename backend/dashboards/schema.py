"""The JSON definition of a dashboard: validation and normalisation.

    {"name", "filters": {"range", "country"}, "cards": [{"id", "title", "metric",
     "measure", "chart", "interval", "range", "compare", "by", "top", "country",
     "x", "y", "w", "h"}]}

A card's "range" and "country" of null inherit the dashboard's filters. A range is a preset
name (ranges.PRESETS) or {"start": "YYYY-MM-DD", "end": "YYYY-MM-DD"} (custom).
"""

from __future__ import annotations

import re
import secrets
from datetime import date
from typing import Any

from backend.dashboards.ranges import DEFAULT_RANGE, PRESETS
from backend.errors import Invalid

# Prediction cards read the stored predictions (backend/predictions/cards.py), not counters:
# their metric is the orders the predictions come from, and interval, range, compare, by
# and country do not apply.
PREDICTION_CHARTS = ("clv_distribution", "top_customers")
PREDICTION_TITLES = {
    "clv_distribution": "CLV distribution",
    "top_customers": "Top predicted customers",
}
CLV_CHOICES = ("total", "predicted")  # which CLV a distribution shows
CHARTS = ("line", "bar", "area", "number", "table", "map", *PREDICTION_CHARTS)
MEASURES = ("count", "revenue")
INTERVALS = ("hour", "day", "week", "month")
COLS = 12
MAX_CARDS = 40
MAX_TOP = 100
_ID = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")


class DashboardInvalid(Invalid):
    """`field` names the bad part, e.g. "cards[2].chart"."""

    def __init__(self, field: str, problem: str):
        super().__init__(f"{field}: {problem}", field=field)
        self.field = field
        self.problem = problem


def new_card_id() -> str:
    return "c" + secrets.token_hex(4)


def _range(value: Any, field: str, allow_none: bool) -> str | dict | None:
    if value is None and allow_none:
        return None
    if isinstance(value, str) and value in PRESETS:
        return value
    if isinstance(value, dict) and set(value) == {"start", "end"}:
        try:
            start, end = date.fromisoformat(value["start"]), date.fromisoformat(value["end"])
        except (TypeError, ValueError):
            raise DashboardInvalid(field, "start and end must be dates as YYYY-MM-DD") from None
        if end < start:
            raise DashboardInvalid(field, "end is before start")
        if (end - start).days > 3 * 366:
            raise DashboardInvalid(field, "at most 3 years")
        return {"start": start.isoformat(), "end": end.isoformat()}
    raise DashboardInvalid(
        field,
        f'must be one of {", ".join(PRESETS)} or {{"start": "YYYY-MM-DD", "end": "YYYY-MM-DD"}}',
    )


def _country(value: Any, field: str) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, str) and _COUNTRY.match(value.upper()):
        return value.upper()
    raise DashboardInvalid(field, "must be a two-letter ISO country code or null")


def _choice(card: dict, key: str, choices: tuple, default: str, field: str) -> str:
    value = card.get(key, default)
    if value not in choices:
        raise DashboardInvalid(f"{field}.{key}", f"must be one of {', '.join(choices)}")
    return value


def _int(card: dict, key: str, default: int, lo: int, hi: int, field: str) -> int:
    value = card.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
        raise DashboardInvalid(f"{field}.{key}", f"must be an integer from {lo} to {hi}")
    return value


def card(raw: Any, field: str = "card") -> dict:
    """One validated card with every field present (defaults filled in)."""
    if not isinstance(raw, dict):
        raise DashboardInvalid(field, "must be an object")
    cid = raw.get("id") or new_card_id()
    if not isinstance(cid, str) or not _ID.match(cid):
        raise DashboardInvalid(f"{field}.id", "must be 1-40 letters, digits, _ or -")
    chart = _choice(raw, "chart", CHARTS, "line", field)
    prediction = chart in PREDICTION_CHARTS
    metric = raw.get("metric") or ("Placed Order" if prediction else None)
    if not isinstance(metric, str) or not metric.strip() or len(metric) > 200:
        raise DashboardInvalid(f"{field}.metric", "must name a metric")
    title = raw.get("title") or (PREDICTION_TITLES[chart] if prediction else metric)
    if not isinstance(title, str) or len(title) > 200:
        raise DashboardInvalid(f"{field}.title", "must be text of at most 200 characters")
    by = raw.get("by") or None
    if by is not None and (not isinstance(by, str) or len(by) > 200):
        raise DashboardInvalid(f"{field}.by", "must be a dimension name or null")
    if chart == "map":
        by = "country"  # a world map is always by country
    compare = raw.get("compare", False)
    if not isinstance(compare, bool):
        raise DashboardInvalid(f"{field}.compare", "must be true or false")
    w = _int(raw, "w", 4, 1, COLS, field)
    out = {
        "id": cid,
        "title": title.strip() or metric,
        "metric": metric,
        "measure": _choice(raw, "measure", MEASURES, "count", field),
        "chart": chart,
        "interval": _choice(raw, "interval", INTERVALS, "day", field),
        "range": _range(raw.get("range"), f"{field}.range", allow_none=True),
        "compare": compare,
        "by": by,
        "top": _int(raw, "top", 10 if prediction else 5, 1, MAX_TOP, field),
        "country": _country(raw.get("country"), f"{field}.country"),
        "x": _int(raw, "x", 0, 0, COLS - 1, field),
        "y": _int(raw, "y", 0, 0, 10_000, field),
        "w": w,
        "h": _int(raw, "h", 2, 1, 12, field),
    }
    if chart == "clv_distribution":
        out["clv"] = _choice(raw, "clv", CLV_CHOICES, "total", field)
    return out


def filters(raw: Any) -> dict:
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise DashboardInvalid("filters", "must be an object")
    unknown = set(raw) - {"range", "country"}
    if unknown:
        raise DashboardInvalid(f"filters.{sorted(unknown)[0]}", "unknown filter")
    return {
        "range": _range(raw.get("range", DEFAULT_RANGE), "filters.range", False),
        "country": _country(raw.get("country"), "filters.country"),
    }


def name(raw: Any) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise DashboardInvalid("name", "must not be empty")
    if len(raw.strip()) > 200:
        raise DashboardInvalid("name", "at most 200 characters")
    return raw.strip()


def definition(raw: Any) -> dict:
    """A whole dashboard body -> {"name", "filters", "cards"}; DashboardInvalid otherwise."""
    if not isinstance(raw, dict):
        raise DashboardInvalid("body", "must be a JSON object")
    unknown = set(raw) - {"name", "filters", "cards", "id", "created_at", "updated_at"}
    if unknown:
        raise DashboardInvalid(sorted(unknown)[0], "unknown field")
    cards_raw = raw.get("cards", [])
    if not isinstance(cards_raw, list):
        raise DashboardInvalid("cards", "must be a list")
    if len(cards_raw) > MAX_CARDS:
        raise DashboardInvalid("cards", f"at most {MAX_CARDS} cards")
    cards = [card(c, f"cards[{i}]") for i, c in enumerate(cards_raw)]
    seen: set[str] = set()
    for i, c in enumerate(cards):
        if c["id"] in seen:
            raise DashboardInvalid(f"cards[{i}].id", f"duplicate id {c['id']!r}")
        seen.add(c["id"])
    return {"name": name(raw.get("name")), "filters": filters(raw.get("filters")), "cards": cards}

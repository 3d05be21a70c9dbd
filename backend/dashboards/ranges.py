"""Date-range presets -> inclusive [start, end] calendar dates, and the period before."""

from __future__ import annotations

from datetime import date, timedelta

PRESETS = {
    "today": "Today",
    "yesterday": "Yesterday",
    "last_7_days": "Last 7 days",
    "last_30_days": "Last 30 days",
    "last_90_days": "Last 90 days",
    "week_to_date": "Week to date",
    "month_to_date": "Month to date",
}
DEFAULT_RANGE = "last_30_days"


def resolve(rng: str | dict, today: date) -> tuple[date, date]:
    """A preset name or {"start", "end"} (ISO dates, already validated) -> (start, end)."""
    if isinstance(rng, dict):
        return date.fromisoformat(rng["start"]), date.fromisoformat(rng["end"])
    if rng == "today":
        return today, today
    if rng == "yesterday":
        y = today - timedelta(days=1)
        return y, y
    if rng.startswith("last_") and rng.endswith("_days"):
        n = int(rng[5:-5])
        return today - timedelta(days=n - 1), today
    if rng == "week_to_date":
        return today - timedelta(days=today.weekday()), today
    if rng == "month_to_date":
        return today.replace(day=1), today
    raise ValueError(f"unknown range {rng!r}")


def previous(start: date, end: date) -> tuple[date, date]:
    """The period of the same length that ends the day before `start`."""
    days = (end - start).days + 1
    return start - timedelta(days=days), start - timedelta(days=1)


def label(rng: str | dict) -> str:
    if isinstance(rng, dict):
        start, end = date.fromisoformat(rng["start"]), date.fromisoformat(rng["end"])
        if start == end:
            return f"{start:%b %d, %Y}"
        return f"{start:%b %d} – {end:%b %d, %Y}"
    return PRESETS.get(rng, rng)

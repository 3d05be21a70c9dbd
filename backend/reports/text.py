"""Numbers for people, on the dashboard page and in reports: 1.2M, $3,400, +12%."""

from __future__ import annotations

import math

from backend.dashboards.query import CardData


def _trim(text: str) -> str:
    return text[:-2] if text.endswith(".0") else text


def human(value: float, money: bool = False) -> str:
    """Short, readable: 42 / 3,400 / 56.7K / 1.2M / 3.4B, with $ for money."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    sign = "−" if value < 0 else ""
    v = abs(value)
    if v >= 1e9:
        text = _trim(f"{v / 1e9:.1f}") + "B"
    elif v >= 1e6:
        text = _trim(f"{v / 1e6:.1f}") + "M"
    elif v >= 1e5:
        text = f"{v / 1e3:.0f}K"
    elif v >= 1e4:
        text = _trim(f"{v / 1e3:.1f}") + "K"
    elif money and v < 100 and v != int(v):
        text = f"{v:,.2f}"
    else:
        text = f"{v:,.0f}"
    return f"{sign}${text}" if money else sign + text


def full(value: float, money: bool = False) -> str:
    """Exact, for tables and hover: 1,234,567 / $3,400.50."""
    if money:
        return f"${value:,.2f}"
    return f"{value:,.0f}"


def change(ratio: float | None) -> str:
    """+12% / −3.4% / 'new' when there was nothing before."""
    if ratio is None:
        return "new"
    pct = ratio * 100
    text = f"{abs(pct):.1f}" if abs(pct) < 10 else f"{abs(pct):,.0f}"
    if text in ("0.0", "0"):
        return "0%"
    return ("+" if pct > 0 else "−") + text + "%"


def table_rows(data: CardData) -> list[tuple[str, str]]:
    """A table card: one row per series key with its total over the range."""
    money = data.measure == "revenue"
    totals = data.frame.groupby("key", dropna=False, sort=False)[data.measure].sum()
    rows = sorted(
        ((str(k) if k is not None and k == k else "(none)", v) for k, v in totals.items()),
        key=lambda kv: -kv[1],
    )
    return [(k, human(float(v), money)) for k, v in rows]

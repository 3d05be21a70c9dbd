"""Numbers for report readers: 1.2M, $3,400, +12%."""

from __future__ import annotations

import math

from backend.dashboards.query import CardData


def human(value: float | None, money: bool = False) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    v = abs(value)
    # (from, unit, suffix): thousands are written out up to 9,999, then 10K, 445K...
    for limit, unit, suffix in ((1e9, 1e9, "B"), (1e6, 1e6, "M"), (1e4, 1e3, "K")):
        if v >= limit:
            s = f"{v / unit:.1f}".removesuffix(".0") + suffix
            break
    else:
        s = f"{v:,.2f}" if money and v < 100 and v != int(v) else f"{v:,.0f}"
    return ("−" if value < 0 else "") + ("$" if money else "") + s


def change(ratio: float | None) -> str:
    if ratio is None:
        return "new"
    pct = ratio * 100
    return (
        ("+" if pct > 0 else "−" if pct < 0 else "")
        + (f"{abs(pct):.1f}" if abs(pct) < 10 else f"{abs(pct):,.0f}")
        + "%"
    )


def table_rows(data: CardData) -> list[tuple[str, str]]:
    """A table card: one row per series key with its total over the range."""
    money = data.measure == "revenue"
    totals = data.frame.groupby("key", dropna=False, sort=False)[data.measure].sum()
    rows = sorted(
        ((str(k) if k is not None and k == k else "(none)", v) for k, v in totals.items()),
        key=lambda kv: -kv[1],
    )
    return [(k, human(float(v), money)) for k, v in rows]

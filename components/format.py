"""Numbers and times for people: 1.2M, $3,400, "3 h ago"."""

from __future__ import annotations

from datetime import UTC, datetime


def compact(n: float | int | None) -> str:
    if n is None:
        return "—"
    a = abs(n)
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if a >= limit:
            v = n / limit
            return (
                f"{v:.1f}".rstrip("0").rstrip(".") + suffix if abs(v) < 100 else f"{v:.0f}{suffix}"
            )
    return f"{n:,.0f}" if float(n).is_integer() else f"{n:,.2f}"


def money(n: float | None, currency: str = "$", exact: bool = False) -> str:
    """$3,400 for totals (cents dropped past 1,000); exact=True keeps cents ($1,234.50)."""
    if n is None:
        return "—"
    return f"{currency}{n:,.0f}" if abs(n) >= 1000 and not exact else f"{currency}{n:,.2f}"


def parse_iso(ts: str | None) -> datetime | None:
    if not ts:
        return None
    return datetime.fromisoformat(ts.replace("Z", "+00:00"))


def ago(ts: str | datetime | None, now: datetime | None = None) -> str:
    when = parse_iso(ts) if isinstance(ts, str) or ts is None else ts
    if when is None:
        return "never"
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    secs = ((now or datetime.now(UTC)) - when).total_seconds()
    if secs < 0:
        return "just now" if secs > -120 else when.strftime("%d %b %Y")
    for size, unit in ((86400 * 30, None), (86400, "d"), (3600, "h"), (60, "min")):
        if secs >= size:
            return when.strftime("%d %b %Y") if unit is None else f"{int(secs // size)} {unit} ago"
    return "just now"


def when(ts: str | None) -> str:
    """An absolute UTC time for tooltips and tables."""
    d = parse_iso(ts)
    return d.strftime("%d %b %Y, %H:%M UTC") if d else "—"

"""Times for people: "3 h ago", "29 Nov 2026, 10:00 UTC". (Numbers: components/dashboard/numbers.py.)"""

from __future__ import annotations

from datetime import UTC, datetime


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

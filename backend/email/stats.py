"""The numbers of each e-mail (a flow's node, a campaign's variant) from the counters, by
the "$email" dimension every e-mail event carries (backend/email/events.py): sent,
opened and clicked by people and by machines apart, unsubscribed, bounced, complained,
with rates over sent; and the revenue attributed to it (backend/email/attribution.py)."""

from __future__ import annotations

from datetime import datetime, timedelta

from backend.counters.base import CounterStore
from backend.email import events
from backend.email.attribution import attribute

FIELDS = (
    (events.RECEIVED, "sent"),
    (events.OPENED, "opened"),
    (events.CLICKED, "clicked"),
    (events.UNSUBSCRIBED, "unsubscribed"),
    (events.BOUNCED, "bounced"),
    (events.COMPLAINED, "complained"),
)

RATES = {
    "opened": "open_rate",
    "clicked": "click_rate",
    "unsubscribed": "unsubscribe_rate",
    "bounced": "bounce_rate",
    "complained": "complaint_rate",
}


def numbers(
    counters: CounterStore, account_id: str, keys: list[str], start: datetime, end: datetime
) -> dict[str, dict]:
    """{key: {"sent", "opened", "machine_opened", "clicked", "machine_clicked",
    "unsubscribed", "bounced", "complained", "open_rate", "click_rate", ...}} over the UTC
    days [start, end) (midnights)."""
    wanted = set(keys) | {k + events.MACHINE_SUFFIX for k in keys}
    out = {
        k: {name: 0 for _, name in FIELDS} | {"machine_opened": 0, "machine_clicked": 0}
        for k in keys
    }
    for metric, name in FIELDS:
        cells = counters.read(
            account_id, metric, events.EMAIL_DIMENSION, start, end, grain="day", values=wanted
        )
        for (value, _day), totals in cells.items():
            if value.endswith(events.MACHINE_SUFFIX):
                key, field = value[: -len(events.MACHINE_SUFFIX)], f"machine_{name}"
            else:
                key, field = value, name
            if key in out and field in out[key]:
                out[key][field] += int(totals.count)
    for row in out.values():
        sent = row["sent"]
        for field, rate in RATES.items():
            row[rate] = round(row[field] / sent, 4) if sent else None
    return out


def flow_email_numbers(
    runtime, s, account_id: str, flow_id: int, nodes: list[str], days: int = 90
) -> dict[str, dict]:
    """Each e-mail node's numbers over the last `days` days, with attributed revenue."""
    from backend.counters import counter_store

    today = datetime.utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    start, end = today - timedelta(days=days - 1), today + timedelta(days=1)
    keys = {node: f"f{flow_id}:{node}" for node in nodes}
    counted = numbers(counter_store(runtime), account_id, list(keys.values()), start, end)
    money = attribute(s, account_id, start, end, runtime.settings.attribution_days)
    out = {}
    for node, key in keys.items():
        row = counted[key]
        earned = money.get(key, {"orders": 0, "revenue": 0.0})
        row["orders"], row["revenue"] = earned["orders"], round(earned["revenue"], 2)
        out[node] = row
    return out


def with_flow_email_numbers(runtime, s, account_id: str, flow_id: int, stats: dict) -> dict:
    """A flow's node stats (backend/flows/service.stats) with each e-mail node's opened,
    clicked, unsubscribed, bounced and revenue added, for the canvas and the report."""
    nodes = stats.get("nodes") or {}
    emailed = [n for n, row in nodes.items() if "sent" in row or "suppressed" in row]
    if not emailed:
        return stats
    found = flow_email_numbers(runtime, s, account_id, flow_id, emailed)
    for node, row in found.items():
        # Read on the canvas as "opened 3 (50%)": the count, and its rate over sent.
        extra = {
            k: f"{row[k]:,} ({row[rate]:.0%})" if row[rate] is not None else f"{row[k]:,}"
            for k, rate in RATES.items()
            if k != "complained" and row[k]
        }
        if row["revenue"]:
            extra["revenue"] = f"{row['revenue']:,.2f}"
        nodes[node] = {**nodes[node], **extra}
    return stats

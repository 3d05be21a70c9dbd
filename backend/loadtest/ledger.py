"""The exactness check: every event the target acknowledged during the run, counted once.

The generator's ledger holds, per metric, the events acknowledged with a 200 and their
revenue (in cents). Before the run we read each metric's counters through the read API
(/api/metrics/<name>/series, summed over the days around the run); after it, once /healthz
shows nothing left to count, we read them again. The difference must equal the ledger,
exactly: one event more is a double count, one fewer a lost acknowledged event. Run against
an account no one else sends those metrics to meanwhile (a throwaway server's, or a
dedicated load-test account): other traffic shows up as a difference, by design."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import requests

Counts = dict[str, tuple[int, int]]  # metric -> (events, revenue in cents)


def days_around_now() -> tuple[str, str]:
    """The day before to the day after today (UTC): a run that crosses midnight still fits."""
    today = datetime.now(UTC).date()
    return str(today - timedelta(days=1)), str(today + timedelta(days=1))


def read_counts(target, metrics, days: tuple[str, str]) -> Counts:
    s = requests.Session()
    s.headers.update(target.bearer())
    r = s.get(target.url + "/api/metrics", timeout=30)
    r.raise_for_status()
    known = {m["name"] for m in r.json().get("metrics", [])}
    out: Counts = {}
    for name in sorted(metrics):
        if name not in known:
            out[name] = (0, 0)
            continue
        q = {"start": days[0], "end": days[1], "interval": "day"}
        r = s.get(f"{target.url}/api/metrics/{quote(name, safe='')}/series", params=q, timeout=60)
        r.raise_for_status()
        points = [p for series in r.json()["series"] for p in series["points"]]
        count = sum(int(p["count"]) for p in points)
        cents = sum(round(float(p.get("revenue") or 0) * 100) for p in points)
        out[name] = (count, cents)
    return out


def wait_counted(target, timeout_s: float = 120.0) -> tuple[float, bool]:
    """Poll /healthz until nothing acknowledged is left uncounted; (seconds waited, drained)."""
    t0 = time.monotonic()
    while True:
        try:
            if not uncounted(requests.get(target.url + "/healthz", timeout=10).json()):
                return time.monotonic() - t0, True
        except (requests.RequestException, ValueError):
            pass
        if time.monotonic() - t0 > timeout_s:
            return time.monotonic() - t0, False
        time.sleep(0.25)


def uncounted(health: dict) -> int:
    """What /healthz says is acknowledged and not yet counted: spool bytes, or in Kafka mode
    the counting group's lag in records (unknown while the brokers do not answer: 1)."""
    if "queue" in health:
        queue = health["queue"]
        return 1 if "error" in queue else int((queue.get("counting") or {}).get("lag") or 0)
    return int((health.get("spool") or {}).get("bytes") or 0)


def compare(
    ledger: dict[str, list], before: Counts, after: Counts, doubt: dict[str, list] | None = None
) -> list[str]:
    """One line per metric whose counted difference is not what was acknowledged. Events in
    doubt (sent, never answered, not retried) may or may not be counted: for those metrics
    the count (and revenue) may exceed the ledger by at most theirs."""
    doubt = doubt or {}
    lines = []
    for name in sorted(set(ledger) | set(after)):
        acked, cents = ledger.get(name, (0, 0))
        b, a = before.get(name, (0, 0)), after.get(name, (0, 0))
        counted, counted_cents = a[0] - b[0], a[1] - b[1]
        extra, extra_cents = doubt.get(name, (0, 0))
        if not (
            acked <= counted <= acked + extra and cents <= counted_cents <= cents + extra_cents
        ):
            maybe = f" (+ up to {extra:,} in doubt)" if extra else ""
            lines.append(
                f"{name}: acknowledged {acked:,} events{maybe} ({cents / 100:,.2f} revenue), "
                f"counted {counted:,} ({counted_cents / 100:,.2f}): {counted - acked:+,} events, "
                f"{(counted_cents - cents) / 100:+,.2f} revenue"
            )
    return lines

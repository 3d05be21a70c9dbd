"""Series query over hourly counters vs a GROUP BY over the raw events, side by side.

    .venv/bin/python bench/query.py [--events 10000000] [--days 90] [--runs 60]

Builds N synthetic events (several metrics, 36 countries, weekly and daily rhythm, revenue
on orders) over the last D days twice: as counters in the embedded SQLite counter store
(what the aggregator writes: per metric and hour, the total and one cell per country) and
as rows of the real `events` table in SQLite (the project's schema and indexes). Then it
times the dashboard's query, "one metric, 30 days by day" (and by country, top 10), with
backend.analytics.series() against the equivalent GROUP BY over the raw events, and
prints p50/p95 of each and the ratio. Everything lives in a temporary directory.
"""

from __future__ import annotations

import argparse
import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import create_engine

from backend.analytics import series
from backend.analytics.timebuckets import plan
from backend.counters.base import CounterKey, Totals
from backend.counters.sqlite import SqliteCounterStore
from backend.demo.catalog import COUNTRIES, HOURLY, WEEKDAY
from backend.store.models import Base

ACCOUNT = "acc_bench"
METRICS = {"Viewed Page": 0.48, "Viewed Product": 0.32, "Added to Cart": 0.07,
           "Started Checkout": 0.035, "Submitted Form": 0.01, "Opened Email": 0.05,
           "Clicked Email": 0.02, "Placed Order": 0.015}
CHUNK = 500_000


def synth(n: int, days: int, end: date, rng: np.random.Generator) -> pd.DataFrame:
    """n events: metric, country, epoch second, revenue (orders only)."""
    first = end - timedelta(days=days - 1)
    day_w = np.array([WEEKDAY[(first + timedelta(days=i)).weekday()] for i in range(days)])
    day = rng.choice(days, size=n, p=day_w / day_w.sum())
    hour = rng.choice(24, size=n, p=np.array(HOURLY) / sum(HOURLY))
    base = int(datetime(first.year, first.month, first.day, tzinfo=UTC).timestamp())
    ts = base + day * 86400 + hour * 3600 + rng.integers(0, 3600, size=n)
    names = list(METRICS)
    metric = rng.choice(len(names), size=n, p=np.array(list(METRICS.values())) /
                        sum(METRICS.values()))
    cw = np.array([w for _, w, _ in COUNTRIES])
    country = rng.choice(len(COUNTRIES), size=n, p=cw / cw.sum())
    is_order = metric == names.index("Placed Order")
    revenue = np.where(is_order, np.round(rng.lognormal(4.3, 0.6, size=n), 2), np.nan)
    return pd.DataFrame({"metric": metric, "country": country, "ts": ts, "revenue": revenue})


def build_counters(ev: pd.DataFrame, store: SqliteCounterStore) -> int:
    names, codes = list(METRICS), [c for c, _, _ in COUNTRIES]
    ev = ev.assign(hour=ev["ts"] // 3600 * 3600, rev=ev["revenue"].fillna(0.0))
    cells = 0
    for dims in (["metric"], ["metric", "country"]):
        agg = ev.groupby(dims + ["hour"]).agg(count=("ts", "size"), revenue=("rev", "sum"))
        deltas = {}
        for key, c, r in zip(agg.index, agg["count"], agg["revenue"], strict=True):
            m, h = names[key[0]], datetime.fromtimestamp(int(key[-1]), UTC).replace(tzinfo=None)
            dim, value = ("country", codes[key[1]]) if len(key) == 3 else ("", "")
            deltas[CounterKey(ACCOUNT, m, dim, value, h)] = Totals(int(c), float(r))
        store.increment(f"bench-{'-'.join(dims)}", deltas)
        cells += len(deltas)
    return cells


def build_events(ev: pd.DataFrame, path: Path) -> None:
    """The project's events table (schema and indexes) filled with the same events."""
    engine = create_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    engine.dispose()
    names, codes = list(METRICS), [c for c, _, _ in COUNTRIES]
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    sql = ("INSERT INTO events (account_id, message_id, metric, ts, received_at, country, "
           "revenue, properties) VALUES (?, ?, ?, ?, ?, ?, ?, '{}')")
    for lo in range(0, len(ev), CHUNK):
        part = ev.iloc[lo:lo + CHUNK]
        stamps = pd.to_datetime(part["ts"], unit="s").dt.strftime("%Y-%m-%d %H:%M:%S.000000")
        rows = zip([ACCOUNT] * len(part), (f"m{lo + i}" for i in range(len(part))),
                   (names[m] for m in part["metric"]), stamps, stamps,
                   (codes[c] for c in part["country"]),
                   (None if r != r else r for r in part["revenue"]), strict=True)
        conn.executemany(sql, rows)
        conn.commit()
    conn.execute("ANALYZE")
    conn.close()


GROUP_BY = {
    None: ("SELECT substr(ts, 1, 10) AS day, count(*), sum(revenue) FROM events "
           "WHERE account_id = ? AND metric = ? AND ts >= ? AND ts < ? GROUP BY day"),
    "country": ("SELECT substr(ts, 1, 10) AS day, country, count(*), sum(revenue) FROM events "
                "WHERE account_id = ? AND metric = ? AND ts >= ? AND ts < ? "
                "GROUP BY day, country"),
}


def timed(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        plan.cache_clear()  # no help from the cached bucket plan: each query starts cold
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def pct(xs: list[float], p: float) -> float:
    return float(np.percentile(xs, p))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--events", type=int, default=10_000_000)
    ap.add_argument("--days", type=int, default=90)
    ap.add_argument("--runs", type=int, default=60, help="timed series queries per case")
    ap.add_argument("--raw-runs", type=int, default=10, help="timed GROUP BY queries per case")
    ap.add_argument("--no-raw", action="store_true",
                    help="time the counters only (the raw table takes ~10 min at 10M)")
    args = ap.parse_args()
    end = datetime.now(UTC).date()
    start = end - timedelta(days=29)
    with tempfile.TemporaryDirectory(prefix="tally-bench-") as tmp:
        t0 = time.perf_counter()
        ev = synth(args.events, args.days, end, np.random.default_rng(1))
        store = SqliteCounterStore(Path(tmp) / "counters.sqlite3")
        cells = build_counters(ev, store)
        t1 = time.perf_counter()
        if not args.no_raw:
            build_events(ev, Path(tmp) / "events.sqlite3")
        t2 = time.perf_counter()
        print(f"{args.events:,} events over {args.days} days: {cells:,} counter cells built in "
              f"{t1 - t0:.0f} s, raw events table in {t2 - t1:.0f} s")
        raw = sqlite3.connect(Path(tmp) / "events.sqlite3")
        lo, hi = f"{start} 00:00:00", f"{end + timedelta(days=1)} 00:00:00"
        metrics = ["Viewed Page", "Placed Order", "Added to Cart"]
        print(f"query: one metric, {start}..{end} by day (UTC); p50 / p95 in ms")
        print(f"{'case':<34}{'counters':>20}{'raw GROUP BY':>20}{'ratio (p50)':>14}")
        for by in (None, "country"):
            for metric in metrics:
                fast = timed(lambda m=metric, b=by: series(
                    store, ACCOUNT, m, start, end, "day", "UTC", by=b), args.runs)
                slow = [float("nan")] if args.no_raw else timed(
                    lambda m=metric, b=by: raw.execute(GROUP_BY[b], (ACCOUNT, m, lo, hi))
                    .fetchall(), args.raw_runs)
                case = f"{metric}{' by country' if by else ''}"
                raw_txt = "(--no-raw)" if args.no_raw else (
                    f"{pct(slow, 50):>11.1f} /{pct(slow, 95):>7.1f}"
                    f"{statistics.median(slow) / statistics.median(fast):>13.0f}x")
                print(f"{case:<34}{pct(fast, 50):>9.2f} /{pct(fast, 95):>7.2f}{raw_txt:>20}")
        ny = timed(lambda: series(store, ACCOUNT, "Viewed Page", start, end, "day",
                                  "America/New_York"), args.runs)
        print(f"{'Viewed Page, America/New_York':<34}{pct(ny, 50):>9.2f} /{pct(ny, 95):>7.2f}"
              f"{'(not expressible)':>20}")
        raw.close()
        store.close()


if __name__ == "__main__":
    main()

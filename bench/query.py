"""Series queries over the counters vs a GROUP BY over the raw events, side by side.

    .venv/bin/python bench/query.py [--events 10000000] [--days 90] [--runs 60]
                                    [--raw-runs 5] [--no-raw] [--data DIR] [--cases TEXT]

Builds N synthetic events (several metrics, 36 countries, 40 campaigns with a long tail and
many events without one, weekly and daily rhythm, revenue on orders) over the last D days
twice: as counters in the embedded SQLite counter store (what the aggregator writes: per
metric and hour, the total and one cell per country and per campaign; the store keeps its day
roll-ups itself) and as rows of the real `events` table in SQLite (the project's schema and
indexes; the campaign in `properties`, as ingestion stores it). Then it times the queries the
dashboards issue, with backend.analytics.series() against the equivalent GROUP BY over the raw
events (which returns every group and does no ranking, so it is the cheaper of the two), and
prints p50/p95 of each and the p50 ratio. Zone cases (America/New_York, Asia/Kolkata) are
timed on the counters only: SQLite cannot bucket by IANA zone. The bucket plan cache is cleared
before every timed query. Everything lives in a temporary directory, or in --data DIR, reused
by later runs with the same --events and --days (the raw table takes ~10 min at 10M).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

# This checkout ahead of the editable install: run from another checkout (side by side),
# the benchmark measures that checkout's code, not the installed one.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sqlalchemy import create_engine  # noqa: E402

from backend.analytics import series  # noqa: E402
from backend.analytics.timebuckets import plan  # noqa: E402
from backend.counters.base import CounterKey, Totals  # noqa: E402
from backend.counters.sqlite import SqliteCounterStore  # noqa: E402
from backend.demo.catalog import COUNTRIES, HOURLY, WEEKDAY  # noqa: E402
from backend.store.dedup import dedup_key  # noqa: E402
from backend.store.models import Base  # noqa: E402

ACCOUNT = "acc_bench"
METRICS = {
    "Viewed Page": 0.48,
    "Viewed Product": 0.32,
    "Added to Cart": 0.07,
    "Started Checkout": 0.035,
    "Submitted Form": 0.01,
    "Opened Email": 0.05,
    "Clicked Email": 0.02,
    "Placed Order": 0.015,
}
CAMPAIGNS = [f"campaign_{i:02d}" for i in range(40)]
NO_CAMPAIGN = 0.45  # direct and organic traffic
CHUNK = 500_000
M3 = ("Viewed Page", "Added to Cart", "Placed Order")
# (metric, by, interval, days, tz); raw GROUP BY only for UTC
CASES = (
    [(m, None, "day", 30, "UTC") for m in M3]
    + [(m, "country", "day", 30, "UTC") for m in M3]
    + [(m, "utm_campaign", "day", 30, "UTC") for m in M3]
    + [
        (m, by, "day", 90, "UTC")
        for by in ("country", "utm_campaign")
        for m in ("Viewed Page", "Placed Order")
    ]
    + [
        ("Viewed Page", "country", "week", 90, "UTC"),
        ("Viewed Page", "utm_campaign", "month", 90, "UTC"),
        ("Viewed Page", "country", "hour", 7, "UTC"),
        ("Viewed Page", "country", "hour", 30, "UTC"),
        ("Viewed Page", None, "day", 30, "America/New_York"),
        ("Viewed Page", "country", "day", 30, "America/New_York"),
        ("Viewed Page", "utm_campaign", "day", 90, "Asia/Kolkata"),
        ("Viewed Page", "country", "week", 90, "America/New_York"),
    ]
)
BUCKET = {
    "hour": "substr(ts, 1, 13)",
    "day": "substr(ts, 1, 10)",
    "week": "date(ts, '-6 days', 'weekday 1')",
    "month": "substr(ts, 1, 7)",
}
GROUP = {
    None: "",
    "country": ", country",
    "utm_campaign": ", json_extract(properties, '$.utm_campaign')",
}


def synth(n: int, days: int, end: date, rng: np.random.Generator) -> pd.DataFrame:
    """n events: metric, country, campaign (-1: none), epoch second, revenue (orders only)."""
    first = end - timedelta(days=days - 1)
    day_w = np.array([WEEKDAY[(first + timedelta(days=i)).weekday()] for i in range(days)])
    day = rng.choice(days, size=n, p=day_w / day_w.sum())
    hour = rng.choice(24, size=n, p=np.array(HOURLY) / sum(HOURLY))
    base = int(datetime(first.year, first.month, first.day, tzinfo=UTC).timestamp())
    ts = base + day * 86400 + hour * 3600 + rng.integers(0, 3600, size=n)
    names = list(METRICS)
    metric = rng.choice(
        len(names), size=n, p=np.array(list(METRICS.values())) / sum(METRICS.values())
    )
    cw = np.array([w for _, w, _ in COUNTRIES])
    country = rng.choice(len(COUNTRIES), size=n, p=cw / cw.sum())
    zipf = 1.0 / np.arange(1, len(CAMPAIGNS) + 1)
    campaign = rng.choice(len(CAMPAIGNS), size=n, p=zipf / zipf.sum())
    campaign[rng.random(n) < NO_CAMPAIGN] = -1
    is_order = metric == names.index("Placed Order")
    revenue = np.where(is_order, np.round(rng.lognormal(4.3, 0.6, size=n), 2), np.nan)
    return pd.DataFrame(
        {"metric": metric, "country": country, "campaign": campaign, "ts": ts, "revenue": revenue}
    )


def build_counters(ev: pd.DataFrame, store: SqliteCounterStore) -> int:
    names, codes = list(METRICS), [c for c, _, _ in COUNTRIES]
    ev = ev.assign(hour=ev["ts"] // 3600 * 3600, rev=ev["revenue"].fillna(0.0))
    cells = 0
    for dim, col in (("", None), ("country", "country"), ("utm_campaign", "campaign")):
        part = ev if col != "campaign" else ev[ev["campaign"] >= 0]
        keys = ["metric", "hour"] if col is None else ["metric", col, "hour"]
        agg = part.groupby(keys).agg(count=("ts", "size"), revenue=("rev", "sum"))
        deltas = {}
        for key, c, r in zip(agg.index, agg["count"], agg["revenue"], strict=True):
            h = datetime.fromtimestamp(int(key[-1]), UTC).replace(tzinfo=None)
            value = "" if col is None else (codes if col == "country" else CAMPAIGNS)[key[1]]
            deltas[CounterKey(ACCOUNT, names[key[0]], dim, value, h)] = Totals(int(c), float(r))
        store.increment(f"bench-{dim or 'total'}", deltas)
        cells += len(deltas)
    return cells


def build_events(ev: pd.DataFrame, path: Path) -> None:
    """The project's events table (schema and indexes) filled with the same events."""
    engine = create_engine(f"sqlite:///{path}")
    Base.metadata.create_all(engine)
    engine.dispose()
    names, codes = list(METRICS), [c for c, _, _ in COUNTRIES]
    props = [json.dumps({"utm_campaign": c}) for c in CAMPAIGNS] + ["{}"]  # [-1]: none
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=OFF")
    sql = (
        "INSERT INTO events (account_id, message_id, dedup_key, metric, ts, received_at, "
        "country, revenue, properties) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
    )
    for lo in range(0, len(ev), CHUNK):
        part = ev.iloc[lo : lo + CHUNK]
        stamps = pd.to_datetime(part["ts"], unit="s").dt.strftime("%Y-%m-%d %H:%M:%S.000000")
        ids = [f"m{lo + i}" for i in range(len(part))]
        rows = zip(
            [ACCOUNT] * len(part),
            ids,
            (dedup_key(ACCOUNT, m) for m in ids),
            (names[m] for m in part["metric"]),
            stamps,
            stamps,
            (codes[c] for c in part["country"]),
            (None if r != r else r for r in part["revenue"]),
            (props[c] for c in part["campaign"]),
            strict=True,
        )
        conn.executemany(sql, rows)
        conn.commit()
    conn.execute("ANALYZE")
    conn.close()


def build(args, root: Path) -> date:
    """Build (or reuse, with --data) both stores under root; returns the data's last day."""
    manifest = root / "manifest.json"
    want = {"events": args.events, "days": args.days, "raw": not args.no_raw}
    if manifest.exists():
        have = json.loads(manifest.read_text())
        if {k: have[k] for k in ("events", "days")} == {
            k: want[k] for k in ("events", "days")
        } and (have["raw"] or not want["raw"]):
            print(f"reusing {root} (built {have['built']})")
            return date.fromisoformat(have["end"])
    for f in root.glob("*.sqlite3*"):
        f.unlink()
    end = datetime.now(UTC).date()
    t0 = time.perf_counter()
    ev = synth(args.events, args.days, end, np.random.default_rng(1))
    store = SqliteCounterStore(root / "counters.sqlite3")
    cells = build_counters(ev, store)
    store.close()
    t1 = time.perf_counter()
    if not args.no_raw:
        build_events(ev, root / "events.sqlite3")
    t2 = time.perf_counter()
    print(
        f"{args.events:,} events over {args.days} days: {cells:,} hour cells built in "
        f"{t1 - t0:.0f} s, raw events table in {t2 - t1:.0f} s"
    )
    manifest.write_text(
        json.dumps(
            {
                **want,
                "end": end.isoformat(),
                "built": datetime.now(UTC).isoformat(timespec="seconds"),
            }
        )
    )
    return end


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


def run(args, root: Path) -> None:
    end = build(args, root)
    store = SqliteCounterStore(root / "counters.sqlite3")
    raw = None if args.no_raw else sqlite3.connect(root / "events.sqlite3")
    print(
        f"queries up to {end}, top 10 (+ $other, + no value); p50 / p95 in ms; "
        "'ok': p95 < 20 ms and >= 100x the GROUP BY"
    )
    print(f"{'case':<50}{'counters':>17}{'raw GROUP BY':>19}{'ratio':>8}")
    for metric, by, interval, days, tz in CASES:
        case = (
            f"{metric}{f' by {by}' if by else ''}, {days} d by {interval}"
            f"{'' if tz == 'UTC' else ', ' + tz}"
        )
        if args.cases and args.cases.lower() not in case.lower():
            continue
        start = end - timedelta(days=days - 1)
        fast = timed(
            lambda m=metric, b=by, i=interval, s=start, z=tz: series(
                store, ACCOUNT, m, s, end, i, z, by=b
            ),
            args.runs,
        )
        line = f"{case:<50}{pct(fast, 50):>8.2f} /{pct(fast, 95):>7.2f}"
        if raw is not None and tz == "UTC":
            sql = (
                f"SELECT {BUCKET[interval]} AS b{GROUP[by]}, count(*), sum(revenue) FROM "
                "events WHERE account_id = ? AND metric = ? AND ts >= ? AND ts < ? "
                f"GROUP BY b{GROUP[by]}"
            )
            lo, hi = f"{start} 00:00:00", f"{end + timedelta(days=1)} 00:00:00"
            slow = timed(
                lambda q=sql, m=metric, a=lo, b=hi: raw.execute(q, (ACCOUNT, m, a, b)).fetchall(),
                args.raw_runs,
            )
            ratio = pct(slow, 50) / pct(fast, 50)
            ok = "ok" if pct(fast, 95) < 20 and ratio >= 100 else "MISS"
            line += f"{pct(slow, 50):>10.0f} /{pct(slow, 95):>7.0f}{ratio:>7.0f}x {ok}"
        else:
            line += f"{'(zone: counters only)' if tz != 'UTC' else '(--no-raw)':>23}"
            line += "  ok" if pct(fast, 95) < 20 else "  MISS"
        print(line, flush=True)
    if raw is not None:
        raw.close()
    store.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--events", type=int, default=10_000_000)
    ap.add_argument("--days", type=int, default=90)
    ap.add_argument("--runs", type=int, default=60, help="timed series queries per case")
    ap.add_argument("--raw-runs", type=int, default=5, help="timed GROUP BY queries per case")
    ap.add_argument(
        "--no-raw",
        action="store_true",
        help="time the counters only (the raw table takes ~10 min at 10M)",
    )
    ap.add_argument("--data", type=Path, help="keep the built stores here and reuse them")
    ap.add_argument("--cases", help="only the cases whose name contains this text")
    args = ap.parse_args()
    if args.data:
        args.data.mkdir(parents=True, exist_ok=True)
        run(args, args.data)
    else:
        with tempfile.TemporaryDirectory(prefix="tally-bench-") as tmp:
            run(args, Path(tmp))


if __name__ == "__main__":
    main()

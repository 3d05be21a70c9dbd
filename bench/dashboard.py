"""An 8-card dashboard over demo-sized data: server time to answer every card and build
what the page sends, against the same numbers by GROUP BY over the raw events.

    .venv/bin/python bench/dashboard.py [--events 1000000] [--days 90] [--runs 20] [--dir D]

Seeds the demo storefront (backend.demo.seed: the real ingestion pipeline, SQLite store and
counters) into a temporary directory, or reuses --dir if it was seeded before. Then times:
- dashboard: the Overview (8 cards, last 30 days, 5 of them compared with the previous
  period) = backend.dashboards.dashboard_data + figures + cards + JSON, as the page callback
  does; also with a country filter (a drill-down);
- baseline: the same cards' numbers by GROUP BY over the `events` table (the project's schema
  and indexes) in the same SQLite database.
Prints p50 / p95 of each and the ratio. The goal: the dashboard under 1 s of server time.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

# This checkout ahead of the editable install: run from another checkout (side by side),
# the benchmark measures that checkout's code, not the installed one.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import plotly.io as pio  # noqa: E402
from sqlalchemy import text  # noqa: E402

from backend import analytics  # noqa: E402
from backend.accounts.service import create_account  # noqa: E402
from backend.config import Settings  # noqa: E402
from backend.dashboards import dashboard_data, ranges, service  # noqa: E402
from backend.runtime import Runtime  # noqa: E402
from components.dashboard.card import card  # noqa: E402


def runtime_at(root: Path) -> Runtime:
    return Runtime(
        Settings.from_env(
            {
                "TALLY_VAR_DIR": str(root / "var"),
                "TALLY_DATABASE_URL": f"sqlite:///{root / 'tally.sqlite3'}",
                "TALLY_SECRET_KEY": "bench-secret-0123456789abcdef0123",
            },
            env_file=None,
        )
    )


def prepare(root: Path, events: int, days: int) -> tuple[Runtime, str]:
    from backend.demo import seed

    rt = runtime_at(root)
    marker = root / "account.txt"
    if marker.exists():
        return rt, marker.read_text().strip()
    with rt.db.session() as s:
        acc = create_account(
            s, "Bench Store", email="bench@store.test", password="correct horse battery"
        )
    t0 = time.perf_counter()
    seed(rt, acc.id, events=events, days=days, progress=True)
    print(f"seeded {events:,} events over {days} days in {time.perf_counter() - t0:.0f} s")
    marker.write_text(acc.id)
    return rt, acc.id


def render(rt: Runtime, account_id: str, definition: dict, filters: dict) -> int:
    """What the page's render callback does; returns the bytes it would send."""
    data = dashboard_data(
        analytics.counter_store(rt), account_id, definition, filters, datetime.now(UTC).date()
    )
    children = [card(data[c["id"]]).to_plotly_json() for c in definition["cards"]]
    return len(pio.json.to_json_plotly(children))


def _group_sql(by: str | None) -> str:
    key = {"country": "country", None: "NULL"}.get(by, f"json_extract(properties, '$.{by}')")
    return (
        f"SELECT date(ts) AS d, {key} AS k, count(*), coalesce(sum(revenue), 0) "
        "FROM events WHERE account_id = :a AND metric = :m AND ts >= :lo AND ts < :hi "
        "GROUP BY d, k"
    )


def baseline(rt: Runtime, account_id: str, definition: dict, filters: dict) -> int:
    """The same cards answered from the raw events."""
    today = datetime.now(UTC).date()
    rows = 0
    with rt.db.engine.connect() as conn:
        for c in definition["cards"]:
            start, end = ranges.resolve(c["range"] or filters["range"], today)
            periods = [(start, end)] + ([ranges.previous(start, end)] if c["compare"] else [])
            by = "country" if c["chart"] == "map" else (None if c["chart"] == "number" else c["by"])
            for s, e in periods:
                lo = datetime.combine(s, datetime.min.time())
                hi = datetime.combine(e + timedelta(days=1), datetime.min.time())
                rows += len(
                    conn.execute(
                        text(_group_sql(by)),
                        {"a": account_id, "m": c["metric"], "lo": lo, "hi": hi},
                    ).all()
                )
    return rows


def timed(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def show(name: str, times: list[float]) -> float:
    p50 = statistics.median(times)
    p95 = sorted(times)[max(0, int(len(times) * 0.95) - 1)]
    print(f"  {name:<40} p50 {p50 * 1000:8.1f} ms   p95 {p95 * 1000:8.1f} ms")
    return p50


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--days", type=int, default=90)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--dir", type=Path, help="seed here once and reuse on later runs")
    args = ap.parse_args()
    root = args.dir or Path(tempfile.mkdtemp(prefix="tally-bench-dash-"))
    root.mkdir(parents=True, exist_ok=True)
    rt, account_id = prepare(root, args.events, args.days)
    with rt.db.session() as s:
        definition = service.list_dashboards(s, account_id)[0].definition
    filters = definition["filters"]
    by_country = {**filters, "country": "US"}
    first = timed(lambda: render(rt, account_id, definition, filters), 1)[0]
    size = render(rt, account_id, definition, filters)
    print(
        f"\n{len(definition['cards'])}-card dashboard over {args.events:,} demo events "
        f"({args.runs} runs; first render {first * 1000:.0f} ms, {size / 1024:.0f} KB "
        "of JSON):"
    )
    dash = show(
        "dashboard (queries + figures + JSON)",
        timed(lambda: render(rt, account_id, definition, filters), args.runs),
    )
    show(
        "dashboard, drilled down to US",
        timed(lambda: render(rt, account_id, definition, by_country), args.runs),
    )
    q = show(
        "  of which card queries",
        timed(
            lambda: dashboard_data(
                analytics.counter_store(rt),
                account_id,
                definition,
                filters,
                datetime.now(UTC).date(),
            ),
            args.runs,
        ),
    )
    base = show(
        "baseline: GROUP BY over raw events",
        timed(lambda: baseline(rt, account_id, definition, filters), max(3, args.runs // 4)),
    )
    print(
        f"\n  raw-event GROUP BY / counter queries: {base / q:.2f} "
        f"({'counters faster' if base > q else 'GROUP BY faster'})"
    )
    print(
        f"  whole dashboard: {dash * 1000:.0f} ms "
        f"({'under' if dash < 1 else 'OVER'} the 1 s budget)"
    )
    rt.close()
    print(
        json.dumps(
            {
                "dashboard_p50_s": round(dash, 4),
                "queries_p50_s": round(q, 4),
                "baseline_p50_s": round(base, 4),
            }
        )
    )


if __name__ == "__main__":
    main()

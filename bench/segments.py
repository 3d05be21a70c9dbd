"""A segment's full evaluation, by every candidate, side by side on the same data.

    .venv/bin/python bench/segments.py [--profiles 1000000] [--events 20000000] [--runs 5]
        [--naive-sample 20000] [--sql-runs 1] [--pass-events 20000] [--passes 3] [--data DIR]
        [--postgres URL] [--roaring] [--memory-only] [--engine-only]

The segment: ordered at least twice in the last 90 days, AND country in {US, GB, DE}, AND
not in the list "Suppressed". Synthetic data shaped like `tally seed`'s (numpy, seeded):
profiles with a country, 5% of them on the list, events of five metrics (8% of them
"Placed Order") spread over 365 days, some people far busier than others (a Pareto tail).
The same data goes into the real schema in SQLite (migrated, loaded in bulk, the indexes
built after; `--data DIR` keeps the file for the next run: ~23 min to build at 1M/20M on
the busy box) and into memory. Candidates:

- the engine as it runs (backend.segments.evaluate): metric conditions on the in-process
  column cache (backend/segments/columns.py), the others SQL; warm p50/p95 and CPU, and
  the cold first evaluation (which loads the metric's columns) separately.
- the engine with the cache off: one SQL query per condition, bitmaps combined.
- naive:   per-profile SQL (Mautic's way): three queries a profile, timed on a sample and
           scaled to every profile (wall and CPU).
- duckdb:  one SQL query in DuckDB over the events held in process.
- roaring: (--roaring) pyroaring bitmaps per metric, day and level.
- numpy:   per-metric columns in memory, a bincount over the window: the floor.

It checks every candidate finds the same members, prints p50/p95 and ratios against the
naive way, the cache's size, peak RSS, and the incremental work: the watcher's step for
one pass of new orders against the time the aggregator took to fold and store that pass.
"""

from __future__ import annotations

import argparse
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402
from pyroaring import BitMap, BitMap64  # noqa: E402

NOW = datetime(2026, 12, 1, 12, 0, 0)
METRICS = ["Viewed Product", "Opened Email", "Clicked Email", "Started Checkout", "Placed Order"]
METRIC_P = [0.55, 0.2, 0.07, 0.10, 0.08]
COUNTRIES = ["US", "GB", "DE", "FR", "CA", "AU", "NL", "ES", "IT", "SE"]
COUNTRY_P = [0.35, 0.12, 0.1, 0.1, 0.08, 0.07, 0.05, 0.05, 0.05, 0.03]
WANTED = ["US", "GB", "DE"]
ORDER = METRICS.index("Placed Order")
DAYS_SPAN = 365
CONDITIONS = [
    [{"type": "metric", "metric": "Placed Order", "op": "gte", "value": 2, "days": 90}],
    [{"type": "property", "field": "country", "op": "in", "value": WANTED}],
    [{"type": "list", "list": "Suppressed", "member": False}],
]


def _who(rng, n: int, n_profiles: int) -> np.ndarray:
    """Profile ids for n events: some people do much more than others (a Pareto tail)."""
    return (rng.pareto(1.5, n) * n_profiles / 20).astype(np.int64) % n_profiles + 1


def make_data(n_profiles: int, n_events: int, seed: int = 7) -> dict:
    rng = np.random.default_rng(seed)
    country = rng.choice(len(COUNTRIES), n_profiles, p=COUNTRY_P).astype(np.int8)
    listed = np.flatnonzero(rng.random(n_profiles) < 0.05).astype(np.int64) + 1
    who = _who(rng, n_events, n_profiles)
    metric = rng.choice(len(METRICS), n_events, p=METRIC_P).astype(np.int8)
    secs = rng.integers(0, DAYS_SPAN * 86400, n_events)  # seconds before NOW
    revenue = np.where(metric == ORDER, rng.integers(5, 300, n_events), 0)
    return {
        "country": country,
        "listed": listed,
        "who": who,
        "metric": metric,
        "secs": secs,
        "revenue": revenue,
    }


def timed(fn, runs: int) -> tuple[list[float], object]:
    out, result = [], None
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        out.append(time.perf_counter() - t)
    return out, result


def p50(xs):
    return statistics.median(xs)


def p95(xs):
    return sorted(xs)[max(0, int(round(0.95 * len(xs))) - 1)]


# -- the store: the real schema in SQLite -----------------------------------------------------
def load_sqlite(path: Path, data: dict) -> str:
    """Migrate, then load profiles, the list and events in bulk (indexes rebuilt after)."""
    from backend.store.db import Database

    url = f"sqlite:///{path}"
    db = Database(url)
    db.migrate()
    db.dispose()
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    t = time.perf_counter()
    con.execute(
        "INSERT INTO accounts (id, name, dimensions, timezone, created_at) VALUES "
        "('acc_bench', 'Bench', '[]', 'UTC', ?)",
        (NOW,),
    )
    n = len(data["country"])
    con.executemany(
        "INSERT INTO profiles (id, account_id, external_id, traits, country, first_seen, "
        "last_seen) VALUES (?, 'acc_bench', ?, '{}', ?, ?, ?)",
        ((i + 1, f"u{i + 1}", COUNTRIES[c], NOW, NOW) for i, c in enumerate(data["country"])),
    )
    con.execute(
        "INSERT INTO lists (id, account_id, name, created_at) VALUES "
        "(1, 'acc_bench', 'Suppressed', ?)",
        (NOW,),
    )
    con.executemany(
        "INSERT INTO list_members (list_id, profile_id, created_at) VALUES (1, ?, ?)",
        ((int(p), NOW) for p in data["listed"]),
    )
    for m in METRICS:
        con.execute("INSERT INTO metrics VALUES ('acc_bench', ?, 0, 0, ?, ?)", (m, NOW, NOW))
    indexes = con.execute(
        "SELECT name, sql FROM sqlite_master WHERE type='index' AND tbl_name='events' "
        "AND sql IS NOT NULL"
    ).fetchall()
    for name, _ in indexes:
        con.execute(f"DROP INDEX {name}")
    base = NOW.timestamp()
    chunk = 500_000
    for lo in range(0, len(data["who"]), chunk):
        hi = min(lo + chunk, len(data["who"]))
        ts = [
            datetime.utcfromtimestamp(base - s).strftime("%Y-%m-%d %H:%M:%S.000000")
            for s in data["secs"][lo:hi].tolist()
        ]
        con.executemany(
            "INSERT INTO events (id, account_id, message_id, dedup_key, profile_id, metric, ts, "
            "received_at, country, revenue, properties) "
            "VALUES (?, 'acc_bench', ?, ?, ?, ?, ?, ?, NULL, ?, '{}')",
            (
                (i + 1, str(i + 1), i + 1, p, METRICS[m], t_, t_, r or None)
                for i, p, m, t_, r in zip(
                    range(lo, hi),
                    data["who"][lo:hi].tolist(),
                    data["metric"][lo:hi].tolist(),
                    ts,
                    data["revenue"][lo:hi].tolist(),
                    strict=True,
                )
            ),
        )
        con.commit()
    for _, sql in indexes:
        con.execute(sql)
    con.execute("ANALYZE")
    con.commit()
    con.close()
    print(
        f"  loaded {n:,} profiles and {len(data['who']):,} events into SQLite in "
        f"{time.perf_counter() - t:.0f} s"
    )
    return url


# -- candidates ---------------------------------------------------------------------------------
def load_postgres(url: str, data: dict) -> None:
    """The same rows into a migrated, empty PostgreSQL database, by COPY."""
    import psycopg

    from backend.store.db import Database

    db = Database(url)
    db.migrate()
    db.dispose()
    t = time.perf_counter()
    base = NOW.timestamp()
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as con:
        con.execute(
            "INSERT INTO accounts (id, name, dimensions, timezone, created_at) VALUES "
            "('acc_bench', 'Bench', '[]', 'UTC', %s)",
            (NOW,),
        )
        with con.cursor().copy(
            "COPY profiles (id, account_id, external_id, traits, country, first_seen, last_seen)"
            " FROM STDIN"
        ) as cp:
            for i, c in enumerate(data["country"].tolist()):
                cp.write_row((i + 1, "acc_bench", f"u{i + 1}", "{}", COUNTRIES[c], NOW, NOW))
        con.execute(
            "INSERT INTO lists (id, account_id, name, created_at) VALUES "
            "(1, 'acc_bench', 'Suppressed', %s)",
            (NOW,),
        )
        with con.cursor().copy(
            "COPY list_members (list_id, profile_id, created_at) FROM STDIN"
        ) as cp:
            for p in data["listed"].tolist():
                cp.write_row((1, p, NOW))
        for m in METRICS:
            con.execute(
                "INSERT INTO metrics (account_id, name, count, revenue, first_seen, last_seen) "
                "VALUES ('acc_bench', %s, 0, 0, %s, %s)",
                (m, NOW, NOW),
            )
        with con.cursor().copy(
            "COPY events (id, account_id, message_id, dedup_key, profile_id, metric, ts, "
            "received_at, revenue, properties) FROM STDIN"
        ) as cp:
            for i, (p, m, s, r) in enumerate(
                zip(
                    data["who"].tolist(),
                    data["metric"].tolist(),
                    data["secs"].tolist(),
                    data["revenue"].tolist(),
                    strict=True,
                )
            ):
                ts = datetime.utcfromtimestamp(base - s)
                cp.write_row(
                    (i + 1, "acc_bench", str(i + 1), i + 1, p, METRICS[m], ts, ts, r or None, "{}")
                )
        con.execute("ANALYZE")
    print(f"  loaded into PostgreSQL in {time.perf_counter() - t:.0f} s")


def run_sql(url: str, runs: int):
    """The engine with the column cache off: every condition a SQL query."""
    from backend.segments import columns
    from backend.segments.evaluate import members
    from backend.store.db import Database

    db = Database(url)
    columns.enabled = False
    try:
        with db.session() as s:
            times, result = timed(lambda: members(s, "acc_bench", CONDITIONS, NOW), runs)
    finally:
        columns.enabled = True
    db.dispose()
    return times, result


def run_cached(url: str, runs: int):
    """The engine as it runs: metric conditions on the column cache. The first evaluation
    loads the metric's columns (cold); the next ones find them loaded (warm). Returns warm
    wall times, warm CPU times, the members, the cold time and the cache's sizes."""
    from backend.segments import columns
    from backend.segments.evaluate import members
    from backend.store.db import Database

    db = Database(url)
    with db.session() as s:
        t = time.perf_counter()
        members(s, "acc_bench", CONDITIONS, NOW)
        cold = time.perf_counter() - t
        cpu = []

        def warm():
            c = time.process_time()
            out = members(s, "acc_bench", CONDITIONS, NOW)
            cpu.append(time.process_time() - c)
            return out

        times, result = timed(warm, runs)
    sizes = columns.cache_for(db.engine).sizes()
    db.dispose()
    return times, cpu, result, cold, sizes


def run_naive(url: str, sample: int, n_profiles: int):
    """Per profile: its orders in the window, its country, its list membership."""
    con = sqlite3.connect(url.split("///", 1)[1])
    since = (NOW - timedelta(days=90)).strftime("%Y-%m-%d %H:%M:%S.000000")
    step = max(1, n_profiles // sample)
    ids = list(range(1, n_profiles + 1, step))[:sample]
    t = time.perf_counter()
    cpu = time.process_time()
    found = 0
    for pid in ids:
        n = con.execute(
            "SELECT count(*) FROM events WHERE profile_id = ? AND metric = 'Placed Order' "
            "AND ts >= ?",
            (pid, since),
        ).fetchone()[0]
        c = con.execute("SELECT country FROM profiles WHERE id = ?", (pid,)).fetchone()[0]
        listed = con.execute(
            "SELECT 1 FROM list_members WHERE list_id = 1 AND profile_id = ?", (pid,)
        ).fetchone()
        found += n >= 2 and c in WANTED and not listed
    per = (time.perf_counter() - t) / len(ids)
    per_cpu = (time.process_time() - cpu) / len(ids)
    con.close()
    return per * n_profiles, per_cpu * n_profiles


def run_duckdb(data: dict, runs: int):
    import duckdb
    import pandas as pd

    con = duckdb.connect()
    t = time.perf_counter()
    frames = {
        "ev": pd.DataFrame({"who": data["who"], "metric": data["metric"], "secs": data["secs"]}),
        "prof": pd.DataFrame(
            {"id": np.arange(1, len(data["country"]) + 1), "country": data["country"]}
        ),
        "lst": pd.DataFrame({"id": data["listed"]}),
    }
    for name, frame in frames.items():
        con.register(f"{name}_df", frame)
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM {name}_df")
    load = time.perf_counter() - t
    wanted = [COUNTRIES.index(c) for c in WANTED]
    q = f"""
        SELECT p.id FROM prof p
        JOIN (SELECT who FROM ev WHERE metric = {ORDER} AND secs <= {90 * 86400}
              GROUP BY who HAVING count(*) >= 2) o ON o.who = p.id
        WHERE p.country IN ({", ".join(map(str, wanted))})
          AND p.id NOT IN (SELECT id FROM lst)
    """
    times, rows = timed(lambda: con.execute(q).fetchnumpy()["id"], runs)
    con.close()
    return times, BitMap64(rows.tolist()), load


class RoaringStore:
    """Bitmaps per (metric, day, level): level k holds profiles with >= k events that day.
    Profile attributes as bitmaps too (one per country value; the list)."""

    LEVELS = 4

    def __init__(self, data: dict):
        self.days: dict[tuple[int, int, int], BitMap] = {}
        day = (data["secs"] // 86400).astype(np.int64)  # days before NOW
        for m in range(len(METRICS)):
            sel = data["metric"] == m
            keys = day[sel] * (1 << 32) + data["who"][sel]
            uniq, counts = np.unique(keys, return_counts=True)
            d_of, p_of = uniq >> 32, (uniq & 0xFFFFFFFF).astype(np.uint32)
            for d in np.unique(d_of).tolist():
                rows = d_of == d
                for k in range(1, self.LEVELS + 1):
                    ids = p_of[rows & (counts >= k)]
                    if len(ids):
                        self.days[(m, d, k)] = BitMap(ids)
        self.country = {
            c: BitMap(np.flatnonzero(data["country"] == i).astype(np.uint32) + 1)
            for i, c in enumerate(COUNTRIES)
        }
        self.listed = BitMap(data["listed"].astype(np.uint32))
        self.everyone = BitMap(np.arange(1, len(data["country"]) + 1, dtype=np.uint32))

    def at_least(self, metric: int, n: int, days: int) -> BitMap:
        """Profiles with >= n events in the last `days` days (n <= LEVELS exact by days;
        a fold over days keeps bitmaps of 'at least j so far' for j = 1..n)."""
        so_far = [BitMap() for _ in range(n + 1)]  # so_far[j]: >= j events so far
        for d in range(days):
            for j in range(n, 0, -1):
                for k in range(1, min(j, self.LEVELS) + 1):
                    day_k = self.days.get((metric, d, k))
                    if day_k is None:
                        break
                    # >= j-k before and >= k today.
                    before = so_far[j - k] if j > k else None
                    so_far[j] |= day_k if before is None else (before & day_k)
        return so_far[n]

    def segment(self) -> BitMap:
        # The window is 90 x 24 h; the bench's days are whole 24 h steps back from NOW.
        orders = self.at_least(ORDER, 2, 90)
        where = BitMap.union(*(self.country[c] for c in WANTED))
        return (orders & where) - self.listed

    def nbytes(self) -> int:
        bms = [*self.days.values(), *self.country.values(), self.listed, self.everyone]
        return sum(
            b.get_statistics()["n_bytes_array_containers"]
            + b.get_statistics()["n_bytes_run_containers"]
            + b.get_statistics()["n_bytes_bitset_containers"]
            for b in bms
        )


def run_numpy(data: dict, runs: int):
    sel = data["metric"] == ORDER
    who, secs = data["who"][sel], data["secs"][sel]
    country_ok = np.isin(data["country"], [COUNTRIES.index(c) for c in WANTED])
    listed = np.zeros(len(data["country"]) + 1, bool)
    listed[data["listed"]] = True

    def evaluate():
        counts = np.bincount(who[secs <= 90 * 86400], minlength=len(data["country"]) + 1)
        ok = counts >= 2
        ok[1:] &= country_ok
        ok &= ~listed
        return np.flatnonzero(ok)

    times, ids = timed(evaluate, runs)
    return times, BitMap64(ids.tolist()), who.nbytes + secs.nbytes + listed.nbytes


def incremental(url: str, n_new: int, n_profiles: int, passes: int = 3):
    """Fold and store passes of n_new track calls through the real ingestor; after each,
    time the watcher's step that re-evaluates the segment for the profiles they touched."""
    from sqlalchemy import delete

    from backend.config import Settings
    from backend.ingest import ingestor
    from backend.runtime import Runtime
    from backend.segments.live import Watcher
    from backend.segments.service import evaluate_full
    from backend.store.models import Event
    from backend.store.segment_models import Segment

    tmp = Path(url.split("///", 1)[1]).parent
    settings = Settings.from_env(
        {
            "TALLY_VAR_DIR": str(tmp / "var"),
            "TALLY_DATABASE_URL": url,
            "TALLY_SECRET_KEY": "bench-secret-0123456789abcdef0123",
        },
        env_file=None,
    )
    rt = Runtime(settings)
    with rt.db.session() as s:
        s.execute(delete(Segment))  # an earlier run's
        seg = Segment(account_id="acc_bench", name="bench", definition={"conditions": CONDITIONS})
        s.add(seg)
        s.flush()
        evaluate_full(s, seg, datetime.utcnow())  # as on save
    watcher = Watcher(rt.db, full_every=timedelta(days=365))
    watcher._start(datetime.utcnow())  # following new rows from now on (no full pass)
    rng = np.random.default_rng(1)
    run = time.time_ns()  # messageIds of their own: a rerun on the same data is not deduplicated
    ing = ingestor(rt)
    out = []  # (fold, step, fold CPU, step CPU) a pass
    # Pass 0 warms up (statements compiled once, as in a jobs process running for hours):
    # a tenth of the size, not counted.
    for k in range(passes + 1):
        msgs = [
            {
                "type": "track",
                "userId": f"u{int(p)}",
                "event": "Placed Order",
                "messageId": f"bench-new-{run}-{k}-{i}",
                "properties": {"revenue": 20},
            }
            for i, p in enumerate(_who(rng, n_new if k else n_new // 10, n_profiles))
        ]
        t, c = time.perf_counter(), time.process_time()
        ing.accept("acc_bench", msgs)
        ing.drain()
        fold, fold_cpu = time.perf_counter() - t, time.process_time() - c
        t, c = time.perf_counter(), time.process_time()
        watcher._events(datetime.utcnow())
        if k:
            out.append((fold, time.perf_counter() - t, fold_cpu, time.process_time() - c))
    t = time.perf_counter()
    watcher._windows(datetime.utcnow())  # a 2-second step of lapsing windows
    lapse = time.perf_counter() - t
    with rt.db.session() as s:  # leave the kept data (--data) as generated for the next run
        s.execute(delete(Event).where(Event.message_id.like("bench-new-%")))
        s.execute(delete(Segment))
    rt.close()
    return out, lapse


def memory_only(data: dict, runs: int) -> None:
    duck_t, duck_ids, duck_load = run_duckdb(data, runs)
    t = time.perf_counter()
    store = RoaringStore(data)
    build = time.perf_counter() - t
    r_t, r_ids = timed(store.segment, runs)
    n_t, n_ids, n_bytes = run_numpy(data, runs)
    print(f"\n  {'candidate':32} {'p50':>9} {'p95':>9}  members  notes")
    for name, times, ids, note in (
        ("duckdb in process", duck_t, duck_ids, f"load {duck_load:.1f} s"),
        ("roaring per metric/day/level", r_t, BitMap64(r_ids), f"build {build:.1f} s"),
        ("numpy columns", n_t, n_ids, f"{n_bytes / 2**20:.0f} MiB"),
    ):
        print(f"  {name:32} {p50(times):9.3f} {p95(times):9.3f}  {len(ids):>7,}  {note}")
    same = len({tuple(duck_ids), tuple(BitMap64(r_ids)), tuple(n_ids)}) == 1
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  the same members: {same}; peak RSS {peak:,.0f} MiB")


def engine_only(args) -> None:
    """The engine alone in this process (no generated data, no other candidate): its own
    peak memory with the cache warm, on the file a full run kept in --data."""
    path = args.data / f"seg-{args.profiles}-{args.events}.sqlite3"
    if not path.exists():
        sys.exit(f"{path} does not exist: run once without --engine-only to build it")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    c_t, c_cpu, c_ids, cold, sizes = run_cached(f"sqlite:///{path}", args.runs)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    cache_mib = sum(b for _, b in sizes.values()) / 2**20
    print(
        f"  the engine, column cache warm: {p50(c_t):.3f} s p50, {p95(c_t):.3f} s p95, "
        f"CPU p50 {p50(c_cpu):.3f} s, {len(c_ids):,} members; cold first {cold:.2f} s"
    )
    print(
        f"  peak RSS {peak:,.0f} MiB ({before:,.0f} MiB before the first evaluation); "
        f"the cache {cache_mib:.0f} MiB"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--profiles", type=int, default=1_000_000)
    ap.add_argument("--events", type=int, default=20_000_000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--naive-sample", type=int, default=20000)
    ap.add_argument("--pass-events", type=int, default=20_000)
    ap.add_argument("--passes", type=int, default=3)
    ap.add_argument("--data", type=Path, default=None)
    ap.add_argument(
        "--sql-runs",
        type=int,
        default=1,
        help="evaluations with the column cache off (each 10-35 s at 1M/20M; 0 skips)",
    )
    ap.add_argument(
        "--roaring",
        action="store_true",
        help="also build the roaring day/level candidate (~160 s at 1M/20M)",
    )
    ap.add_argument(
        "--postgres",
        default=None,
        help="an EMPTY PostgreSQL database's URL: the engine is timed on it too",
    )
    ap.add_argument(
        "--engine-only",
        action="store_true",
        help="only the engine with its cache, on the file kept in --data: its own peak RSS",
    )
    ap.add_argument(
        "--memory-only",
        action="store_true",
        help="only the in-memory candidates (no SQLite load: ~20 min at 20M events)",
    )
    args = ap.parse_args()
    print(
        f"segment: ordered >= 2 in 90 days AND country in {WANTED} AND not on a list; "
        f"{args.profiles:,} profiles, {args.events:,} events"
    )
    if args.engine_only:
        return engine_only(args)
    t = time.perf_counter()
    data = make_data(args.profiles, args.events)
    print(f"  generated in memory in {time.perf_counter() - t:.1f} s")
    if args.memory_only:
        return memory_only(data, args.runs)
    folder = args.data or Path(tempfile.mkdtemp(prefix="tally-bench-seg-"))
    folder.mkdir(parents=True, exist_ok=True)
    db_path = folder / f"seg-{args.profiles}-{args.events}.sqlite3"
    url = f"sqlite:///{db_path}"
    if not db_path.exists():
        load_sqlite(db_path, data)
    else:  # kept from an earlier run (--data): bring its schema to the code's
        from backend.store.db import Database

        kept = Database(url)
        kept.migrate()
        kept.dispose()

    rows = []
    t = time.perf_counter()
    naive, naive_cpu = run_naive(url, args.naive_sample, args.profiles)
    print(f"  naive sample of {args.naive_sample:,} profiles: {time.perf_counter() - t:.1f} s")
    rows.append(("naive per-profile SQL (scaled)", [naive], None, "-"))
    c_t, c_cpu, c_ids, cold, sizes = run_cached(url, args.runs)
    cache_mib = sum(b for _, b in sizes.values()) / 2**20
    rows.append(
        (
            "the engine: column cache, warm",
            c_t,
            c_ids,
            f"cold first {cold:.2f} s; CPU p50 {p50(c_cpu):.3f} s; cache {cache_mib:.0f} MiB",
        )
    )
    if args.sql_runs:
        sql_t, sql_ids = run_sql(url, args.sql_runs)
        rows.append(("the engine, cache off (SQL)", sql_t, sql_ids, f"{args.sql_runs} runs"))
    if args.postgres:
        load_postgres(args.postgres, data)
        pg_t, pg_ids = run_sql(args.postgres, args.runs)
        rows.append(("the engine on PostgreSQL", pg_t, pg_ids, "-"))
    duck_t, duck_ids, duck_load = run_duckdb(data, args.runs)
    rows.append(("duckdb in process", duck_t, duck_ids, f"load {duck_load:.1f} s"))
    if args.roaring:
        t = time.perf_counter()
        store = RoaringStore(data)
        build = time.perf_counter() - t
        r_t, r_ids = timed(store.segment, args.runs)
        rows.append(
            (
                "roaring per metric/day/level",
                r_t,
                BitMap64(r_ids),
                f"build {build:.1f} s, {store.nbytes() / 2**20:.0f} MiB",
            )
        )
        del store
    n_t, n_ids, n_bytes = run_numpy(data, args.runs)
    rows.append(("numpy columns", n_t, n_ids, f"{n_bytes / 2**20:.0f} MiB"))

    print(f"\n  {'candidate':32} {'p50':>9} {'p95':>9} {'x naive':>9}  members  notes")
    for name, times, ids, note in rows:
        count = "" if ids is None else f"{len(ids):,}"
        print(
            f"  {name:32} {p50(times):9.3f} {p95(times):9.3f} {naive / p50(times):9.0f}"
            f"  {count:>7}  {note}"
        )
    answers = {name: ids for name, _, ids, _ in rows if ids is not None}
    same = len({tuple(ids) for ids in answers.values()}) == 1
    print(f"  every candidate found the same members: {same}")

    for (_, metric), (n, b) in sizes.items():
        print(f"  cached columns of {metric!r}: {n:,} events, {b / 2**20:.0f} MiB")
    print(
        f"  the cache: {p50(c_t):.3f} s p50 = {naive / p50(c_t):,.0f}x naive "
        f"(target: < 1 s and >= 100x); in CPU time {p50(c_cpu):.3f} s against the naive "
        f"way's {naive_cpu:.1f} s = {naive_cpu / p50(c_cpu):,.0f}x"
    )

    passes, lapse = incremental(url, args.pass_events, args.profiles, args.passes)
    print(
        f"\n  incremental, {len(passes)} passes of {args.pass_events:,} orders each"
        " (after a small warm-up pass):"
    )
    for fold, step, fold_cpu, step_cpu in passes:
        print(
            f"    folded and stored in {fold:.2f} s, the watcher's step {step:.3f} s ="
            f" {100 * step / fold:.1f}%; CPU {fold_cpu:.2f} s and {step_cpu:.3f} s ="
            f" {100 * step_cpu / fold_cpu:.1f}%"
        )
    share = p50([s / f for f, s, _, _ in passes])
    share_cpu = p50([s / f for _, _, f, s in passes])
    print(
        f"  the step as a share of the fold, median: {100 * share:.1f}% wall,"
        f" {100 * share_cpu:.1f}% CPU (target: <= 10%); a window-lapse step {lapse:.3f} s"
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak RSS of this process: {peak:,.0f} MiB (all candidates' data held at once)")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()

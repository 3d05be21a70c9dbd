"""How far one aggregator could go: the fold's cost per event against its floor in CPython.

    .venv/bin/python bench/fold_floor.py [--events 200000] [--ids uuid|ordered]

Side by side, on the same events (bench/ingest.py's traffic) in fresh temporary stores:
- the floor: decoding the bodies to plain dicts with msgspec (no validation), and inserting
  prepared rows into an `events` table migrated like Tally's, with its indexes and without;
- Tally's own parse of the spooled bodies (validation and normalisation, backend/ingest/wire.py);
- the whole fold (`Ingestor.drain()`: parse, dedup, profiles, raw events, metrics, counters,
  all committed) into an empty store.
Printed: microseconds of wall time per event, and each as a ratio of the floor (decode plus
the insert with every index). A fold can go no faster than the floor on one core.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import msgspec
import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from ingest import make_bodies  # noqa: E402

from app import create_app  # noqa: E402
from backend.accounts.service import create_account  # noqa: E402
from backend.config import Settings  # noqa: E402
from backend.ingest.service import ingestor  # noqa: E402
from backend.ingest.wire import parse  # noqa: E402
from backend.store.db import Database  # noqa: E402

_COLS = (
    "account_id, message_id, dedup_key, profile_id, metric, ts, received_at, country, "
    "revenue, properties"
)
_INDEXES = (
    "uq_events_dedup_key",
    "uq_events_collided",
    "ix_events_metric_ts",
    "ix_events_profile_metric_ts",
)


def _settings(tmp: Path) -> Settings:
    env = {
        "TALLY_VAR_DIR": str(tmp),
        "TALLY_SECRET_KEY": "bench" * 8,
        "TALLY_DATABASE_URL": f"sqlite:///{tmp / 'tally.sqlite3'}",
    }
    return Settings.from_env(env, env_file=None)


def timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def insert_rows(rows: list[tuple], drop: tuple[str, ...]) -> float:
    """Seconds to insert and commit `rows` into a fresh, migrated store without `drop`."""
    with tempfile.TemporaryDirectory() as d:
        settings = _settings(Path(d))
        db = Database(settings.database_url)
        db.migrate()
        db.engine.dispose()
        con = sqlite3.connect(Path(d) / "tally.sqlite3")
        # The store's own settings (backend/store/db.py), foreign keys off: no profiles here.
        con.execute("PRAGMA synchronous=FULL")
        con.execute("PRAGMA cache_size=-65536")
        for name in drop:
            con.execute(f"DROP INDEX {name}")
        con.commit()

        def run() -> None:
            con.executemany(f"INSERT INTO events ({_COLS}) VALUES ({', '.join('?' * 10)})", rows)
            con.commit()

        secs = timed(run)
        con.close()
        return secs


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--events", type=int, default=200_000)
    p.add_argument("--ids", choices=("uuid", "ordered"), default="uuid")
    args = p.parse_args()
    n = args.events
    bodies = make_bodies(n, 500, "f", args.ids)
    decoder = msgspec.json.Decoder()
    decode_s = timed(lambda: [m for b in bodies for m in decoder.decode(b)["batch"]])
    now = datetime.now(UTC)
    msgs: list[dict] = []
    parse_s = timed(
        lambda: msgs.extend(m for b in bodies for m in parse(b, "batch", None, now, "r"))
    )
    # Rows as the fold inserts them: by profile, then time (backend/ingest/fold.py).
    received = now.replace(tzinfo=None).isoformat(" ", "microseconds")
    rows = sorted(
        (
            (
                "a" * 32,
                m["id"],
                random.getrandbits(63),
                i % 5000 + 1,
                m["e"],
                datetime.fromtimestamp(m["ts"] / 1000, UTC)
                .replace(tzinfo=None)
                .isoformat(" ", "microseconds"),
                received,
                "GB",
                None,
                orjson.dumps(m["p"]).decode(),
            )
            for i, m in enumerate(msgs)
        ),
        key=lambda r: (r[3], r[5]),
    )
    insert_all_s = insert_rows(rows, ())
    insert_none_s = insert_rows(rows, _INDEXES)
    with tempfile.TemporaryDirectory() as d:
        app = create_app(_settings(Path(d)), ui=False)
        runtime = app.extensions["tally"]
        with runtime.db.session() as s:
            account_id = create_account(s, "Bench").id
        ing = ingestor(runtime)
        for body in bodies:
            ing.accept_body(account_id, "batch", body, "1.2.3.4")
        folded = []
        fold_s = timed(lambda: folded.append(ing.drain()))
        assert folded == [n], folded
    floor = decode_s + insert_all_s
    print(f"{n:,} events ({args.ids} messageIds), one core, us of wall time per event:")
    for name, secs in (
        ("decode to dicts (msgspec, no checks)", decode_s),
        ("insert prepared rows, no index", insert_none_s),
        ("insert prepared rows, every index", insert_all_s),
        ("floor: decode + insert, every index", floor),
        ("Tally's parse (validate, normalise)", parse_s),
        ("Tally's whole fold (empty store)", fold_s),
    ):
        per = secs / n * 1e6
        print(
            f"  {name:40} {per:6.2f} us  {secs / floor:5.2f}x the floor"
            f"  (at most {n / secs:>9,.0f} events/s)"
        )
    print(f"  ({os.cpu_count()} cores; rates are for one process)")


if __name__ == "__main__":
    main()

"""Folding rate as the store grows: the aggregator's events/s on an empty store, and again
after every step of more events, in process (no HTTP: the acknowledgement side is
bench/ingest.py's), with the ratio to the empty store's rate.

    .venv/bin/python bench/fold_scale.py [--steps 6] [--step 500000] [--first 100000]
                                         [--ids uuid|ordered] [--pass-size N]
                                         [--traffic bench|storefront] [--database-url URL]

Each step spools `step` events of bench/ingest.py's traffic through the real ingest path
(`Ingestor.accept_body`) and times `drain()`: decode, dedup, profiles, raw events, counters,
all committed. Everything lives in a temporary directory. `--traffic storefront` sends the
demo store's traffic instead (backend/demo/traffic.py: sessions of mostly new, anonymous
visitors from many countries, 30 days), through `Ingestor.accept` as `tally seed` does. Each
line also gives the CPU time per event (all threads), steadier than rates on a busy box.
`--database-url postgresql://...` folds into that (empty) PostgreSQL database instead of a
temporary SQLite file.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

# This checkout ahead of the editable install (see bench/query.py)
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from ingest import make_bodies  # noqa: E402

from app import create_app  # noqa: E402
from backend.accounts.service import create_account  # noqa: E402
from backend.config import Settings  # noqa: E402
from backend.demo.traffic import generate  # noqa: E402
from backend.ingest.service import ingestor  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--step", type=int, default=500_000)
    parser.add_argument("--first", type=int, default=100_000)
    parser.add_argument(
        "--ids",
        choices=("uuid", "ordered"),
        default="uuid",
        help="messageIds: random UUIDs as SDKs send (default), or ordered",
    )
    parser.add_argument(
        "--traffic",
        choices=("bench", "storefront"),
        default="bench",
        help="bench/ingest.py's 5,000 known users (default), or the demo's",
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="an empty database to fold into (default: a temporary SQLite)",
    )
    parser.add_argument(
        "--pass-size",
        type=int,
        default=None,
        help="messages per aggregator pass (default: the aggregator's)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            "TALLY_VAR_DIR": tmp,
            "TALLY_SECRET_KEY": "bench" * 8,
            "TALLY_DATABASE_URL": args.database_url or f"sqlite:///{Path(tmp) / 'tally.sqlite3'}",
        }
        settings = Settings.from_env(env, env_file=None)
        app = create_app(settings, ui=False)
        runtime = app.extensions["tally"]
        with runtime.db.session() as s:
            account_id = create_account(s, "Bench").id
        ing = ingestor(runtime)
        if args.pass_size:
            ing.aggregator.max_messages = args.pass_size
        in_store, first_rate = 0, None
        print("events in store before   folded   events/s   vs the empty store   CPU an event")
        now = datetime.now(UTC)
        for i, n in enumerate([args.first] + [args.step] * args.steps):
            if args.traffic == "storefront":
                for batch in generate(n, 30, now, seed=i):  # another seed: other visitors
                    ing.accept(account_id, batch)
            else:
                for body in make_bodies(n, 500, f"s{i}", args.ids):
                    ing.accept_body(account_id, "batch", body, "1.2.3.4")
            started, cpu = time.perf_counter(), time.process_time()
            done = ing.drain()
            rate = done / (time.perf_counter() - started)
            cpu_us = (time.process_time() - cpu) / max(done, 1) * 1e6
            first_rate = first_rate or rate
            print(
                f"{in_store:>22,} {done:>9,} {rate:>10,.0f}   {rate / first_rate:5.2f}x"
                f"   {cpu_us:16.1f} us",
                flush=True,
            )
            in_store += done
        ing.close()
        runtime.close()


if __name__ == "__main__":
    main()

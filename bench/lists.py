"""CSV import into a list: the chunked import against one round trip per row, side by side.

    .venv/bin/python bench/lists.py [--rows 100000] [--baseline 2000] [--database-url URL]

1. The import as the console and the API run it (backend/lists/imports.py: chunks of 2,000
   rows, each resolved through ingestion's profile resolver, added and counted in a few
   bulk statements, its "Subscribed to List" events spooled), on `--rows` new people:
   wall seconds, rows a second, and this process's CPU per row (steadier than rates on a
   shared box).
2. The same file again (a re-run: every row already a member, nothing changes).
3. The baseline, on `--baseline` other people: the per-row path a form submission takes
   (upsert the profile, `lists.join`, commit), as an import without chunks would do.
The ratio is the baseline's CPU per row over the import's. Default store: SQLite in a
temporary folder; `--database-url postgresql+psycopg://...` for an empty PostgreSQL database.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _csv(n: int, prefix: str) -> bytes:
    lines = ["email,first_name,last_name,plan"]
    lines += [
        f"{prefix}{i}@bench.test,First{i},Last{i},{'gold' if i % 7 else 'free'}" for i in range(n)
    ]
    return ("\n".join(lines) + "\n").encode()


def _timed(fn) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    fn()
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--baseline", type=int, default=2_000)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()

    from backend.accounts.service import create_account
    from backend.config import Settings
    from backend.forms.submit import upsert_profile
    from backend.lists import imports, join, service
    from backend.runtime import Runtime
    from backend.store.db import utcnow

    tmp = Path(tempfile.mkdtemp(prefix="tally-bench-lists-"))
    url = args.database_url or f"sqlite:///{tmp / 'tally.sqlite3'}"
    settings = Settings.from_env(
        {
            "TALLY_VAR_DIR": str(tmp / "var"),
            "TALLY_DATABASE_URL": url,
            "TALLY_SECRET_KEY": "b" * 32,
        },
        env_file=None,
    )
    rt = Runtime(settings)
    with rt.db.session() as s:
        acc = create_account(s, "Bench")
        lid = service.create(s, acc.id, {"name": "Newsletter"}).id
    data = _csv(args.rows, "p")

    def run_import():
        iid = imports.create(rt, acc.id, lid, data, "bench.csv", True)
        imports.run(rt, iid)
        return iid

    wall, cpu = _timed(run_import)
    again_wall, again_cpu = _timed(run_import)

    def per_row():
        for i in range(args.baseline):
            with rt.db.session() as s:
                p = upsert_profile(s, acc.id, f"b{i}@bench.test", {"first_name": f"F{i}"}, utcnow())
                s.flush()
                join(s, acc.id, "Newsletter", p, utcnow(), source="bench")

    base_wall, base_cpu = _timed(per_row)
    n, b = args.rows, args.baseline
    store = url.split(":", 1)[0]
    load = os.getloadavg()[0]
    print(f"store {store}, load average {load:.1f}")
    print(
        f"import of {n:,} new rows:   {wall:6.1f} s  {n / wall:8,.0f} rows/s  {cpu / n * 1e6:6.0f} us CPU/row"
    )
    print(
        f"re-run of the same file:   {again_wall:6.1f} s  {n / again_wall:8,.0f} rows/s  {again_cpu / n * 1e6:6.0f} us CPU/row"
    )
    print(
        f"baseline, a row at a time ({b:,} rows): {b / base_wall:8,.0f} rows/s  {base_cpu / b * 1e6:6.0f} us CPU/row"
    )
    print(
        f"ratio, CPU per row (baseline / import): {base_cpu / b / (cpu / n):.1f}x; wall: {(base_wall / b) / (wall / n):.1f}x"
    )
    rt.db.dispose()


if __name__ == "__main__":
    main()

"""Ingestion throughput over HTTP: Tally's `tally serve` vs a naive baseline, side by side.

    .venv/bin/python bench/ingest.py [--events 200000] [--batch 500] [--clients 2] [--rounds 3]
                                     [--ids uuid|ordered]

Both servers run under gunicorn with the same workers; the load generator (client
processes posting pre-serialised /v1/batch bodies over keep-alive connections) shares the
same 2-core box. Printed: acknowledged events/s (durable: the spool is fdatasync'd before
each 200), end-to-end events/s (until every event is counted, and until every one is
stored: raw events and profiles, which on SQLite follow the counts), the ratios, and the CPU time
the request workers spent per acknowledged event (user + system, read from /proc; steadier
than rates on a busy box).
"""

from __future__ import annotations

import argparse
import base64
import http.client
import multiprocessing as mp
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.live_server import LiveServer, children, free_port  # noqa: E402


def make_bodies(n_events: int, batch: int, tag: str, ids: str = "uuid") -> list[bytes]:
    """Pre-serialised /v1/batch bodies. ids="uuid": random messageIds, what Segment's SDKs
    send (each lands on a random page of a dedup index); "ordered": f"{tag}-{i}", which
    earlier figures used and which flatter the dedup index as the store grows."""
    now = datetime.utcnow()
    bodies = []
    message_id = (lambda i: str(uuid.uuid4())) if ids == "uuid" else (lambda i: f"{tag}-{i}")
    for b in range(0, n_events, batch):
        msgs = [
            {
                "type": "track",
                "event": "Placed Order" if i % 5 == 0 else "Viewed Product",
                "userId": f"user-{i % 5000}",
                "messageId": message_id(i),
                "timestamp": (now - timedelta(minutes=i % 10_000)).isoformat() + "Z",
                "properties": {
                    "revenue": 25.0 if i % 5 == 0 else 0,
                    "utm_campaign": f"c{i % 7}",
                    "sku": f"SKU-{i % 300}",
                },
                "context": {"ip": f"81.2.{i % 200}.{i % 250}"},
            }
            for i in range(b, min(b + batch, n_events))
        ]
        bodies.append(orjson.dumps({"batch": msgs}))
    return bodies


def _client(port: int, auth: str, bodies: list[bytes], out: mp.Queue) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Content-Type": "application/json", "Authorization": auth}
    for body in bodies:
        while True:
            try:
                conn.request("POST", "/v1/batch", body, headers)
                resp = conn.getresponse()
                resp.read()
                if resp.status == 200:
                    break
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            time.sleep(0.01)
    out.put(len(bodies))


def stat_cpu(path: str) -> float:
    """CPU seconds (utime + stime) in a /proc stat file: a process's or one thread's."""
    with open(path) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    return stat_cpu(f"/proc/{pid}/stat")


def request_workers(master: int) -> list[int]:
    """The gunicorn workers of `master` (not Tally's background processes, which count and
    store events after they are acknowledged)."""
    return [pid for pid, cmdline in children(master).items() if b"multiprocessing" not in cmdline]


def loaded_workers(master: int, expected: int, timeout: float = 120) -> list[int]:
    """request_workers(master) once all `expected` of them have loaded the app and gone idle.

    /healthz answers from the first worker ready while the others may still be importing
    the app (~2.6 s of CPU each on this box): a run started then would count that start-up
    as its own CPU and share the cores with it."""
    deadline = time.monotonic() + timeout
    before, quiet = -1.0, 0
    while time.monotonic() < deadline:
        workers = request_workers(master)
        now = cpu_of(workers)
        quiet = quiet + 1 if len(workers) == expected and now - before < 0.03 else 0
        if quiet >= 2:
            return workers
        before = now
        time.sleep(0.5)
    raise RuntimeError(f"the request workers of {master} did not settle in {timeout:.0f} s")


def cpu_of(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            total += _cpu_seconds(pid)
        except OSError:
            pass
    return total


def drive(port: int, auth: str, bodies: list[bytes], clients: int) -> float:
    q: mp.Queue = mp.Queue()
    procs = [
        mp.Process(target=_client, args=(port, auth, bodies[i::clients], q)) for i in range(clients)
    ]
    t0 = time.perf_counter()
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    return time.perf_counter() - t0


def run_tally(args, tmp: Path) -> tuple[float, float]:
    from backend.accounts.service import create_account
    from backend.config import Settings
    from backend.counters.sqlite import SqliteCounterStore
    from backend.store.db import Database

    env = {
        "TALLY_VAR_DIR": str(tmp / "tally"),
        "TALLY_SECRET_KEY": "bench" * 8,
        "TALLY_DATABASE_URL": f"sqlite:///{tmp / 'tally' / 'tally.sqlite3'}",
    }
    settings = Settings.from_env(env, env_file=None)
    settings.var_dir.mkdir(parents=True)
    db = Database(settings.database_url)
    db.migrate()
    with db.session() as s:
        acc = create_account(s, "Bench")
    server = LiveServer(env, workers=args.workers).start()
    auth = "Basic " + base64.b64encode(f"{acc.write_key}:".encode()).decode()
    bodies = make_bodies(args.events, args.batch, "t", args.ids)
    workers = loaded_workers(server.proc.pid, server.workers)
    cpu0 = cpu_of(workers)
    t_start = time.perf_counter()
    ack_s = drive(server.port, auth, bodies, args.clients)
    ack_cpu = cpu_of(workers) - cpu0
    store = SqliteCounterStore(settings.counters_path)
    far = (datetime(2000, 1, 1), datetime.utcnow() + timedelta(days=2))
    while True:
        counted = sum(
            t.count
            for m in ("Placed Order", "Viewed Product")
            for t in store.read(acc.id, m, "", *far).values()
        )
        if counted >= args.events:
            break
        time.sleep(0.05)
    e2e_s = time.perf_counter() - t_start
    assert counted == args.events, counted
    # Stored too: raw events and profiles (on SQLite counting runs ahead of storing).
    events = sqlite3.connect(settings.var_dir / "tally.sqlite3")
    while events.execute("SELECT count(*) FROM events").fetchone()[0] < args.events:
        time.sleep(0.05)
    stored_s = time.perf_counter() - t_start
    events.close()
    server.stop()
    return ack_s, e2e_s, stored_s, ack_cpu


def run_naive(args, tmp: Path) -> tuple[float, float]:
    port = free_port()
    env = {**os.environ, "NAIVE_DB": str(tmp / "naive.sqlite3")}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            str(args.workers),
            "-k",
            "gthread",
            "--threads",
            "4",
            "-b",
            f"127.0.0.1:{port}",
            "--chdir",
            str(ROOT / "bench"),
            "naive_ingest_app:app",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    for _ in range(200):
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            c.request("GET", "/")
            c.getresponse()
            break
        except OSError:
            time.sleep(0.1)
    bodies = make_bodies(args.events, args.batch, "n", args.ids)
    workers = request_workers(proc.pid)
    cpu0 = cpu_of(workers)
    secs = drive(port, "", bodies, args.clients)
    cpu = cpu_of(workers) - cpu0
    proc.terminate()
    proc.wait()
    return secs, cpu


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--events", type=int, default=200_000)
    p.add_argument("--batch", type=int, default=500)
    p.add_argument("--clients", type=int, default=2)
    p.add_argument("--workers", type=int, default=max(2, (os.cpu_count() or 1) + 1))
    p.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="alternate Tally and baseline runs this many times; medians are shown",
    )
    p.add_argument(
        "--ids",
        choices=("uuid", "ordered"),
        default="uuid",
        help="messageIds: random UUIDs as SDKs send (default), or ordered strings",
    )
    args = p.parse_args()
    acks, e2es, stores, naives, tally_cpu, naive_cpu = [], [], [], [], [], []
    n = args.events
    for r in range(args.rounds):
        # Alternating, so load from anything else on the box falls on both alike.
        with tempfile.TemporaryDirectory() as d:
            tmp = Path(d)
            ack_s, e2e_s, stored_s, ack_cpu = run_tally(args, tmp)
            naive_s, cpu = run_naive(args, tmp)
        acks.append(n / ack_s)
        e2es.append(n / e2e_s)
        stores.append(n / stored_s)
        naives.append(n / naive_s)
        tally_cpu.append(ack_cpu / n * 1e6)
        naive_cpu.append(cpu / n * 1e6)
        print(
            f"  round {r + 1}: tally ack {acks[-1]:,.0f}/s, end to end {e2es[-1]:,.0f}/s counted, "
            f"{stores[-1]:,.0f}/s stored; "
            f"baseline {naives[-1]:,.0f}/s",
            flush=True,
        )
    rows = [
        ("tally: acknowledged (durable)", statistics.median(acks)),
        ("tally: end to end (counted)", statistics.median(e2es)),
        ("tally: end to end (stored, profiles)", statistics.median(stores)),
        ("naive: insert + upsert per event", statistics.median(naives)),
    ]
    base = rows[-1][1]
    print(
        f"\n{n:,} events, batches of {args.batch}, {args.clients} client processes, "
        f"{args.workers} gunicorn workers, {os.cpu_count()} cores, {args.ids} messageIds; "
        f"median of {args.rounds} rounds"
    )
    for name, rate in rows:
        print(f"  {name:36} {rate:>12,.0f} events/s   {rate / base:5.2f}x baseline")
    # CPU time barely moves with other load on the box, unlike rates: compare these when
    # the box is busy.
    t_cpu, n_cpu = statistics.median(tally_cpu), statistics.median(naive_cpu)
    print(
        f"  request workers' CPU per acknowledged event: tally {t_cpu:.2f} us, "
        f"baseline {n_cpu:.2f} us ({n_cpu / t_cpu:.2f}x less for tally)"
    )


if __name__ == "__main__":
    main()

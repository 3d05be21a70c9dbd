"""Kafka mode's end-to-end counted events/s, side by side with the spool on the same stores.

    .venv/bin/python bench/kafka_ingest.py [--events 100000] [--consumers 1,2,3] [--rounds 1]
        [--warmup 100000]

Needs the services of scripts/services.sh (PostgreSQL, Cassandra, Kafka: source the exports it
prints). Every run gets its own database, keyspace and topics. Runs, one after another:
- spool: `tally serve` on PostgreSQL + Cassandra, TALLY_QUEUE=spool (today's path: a pass
  stores, then counts);
- kafka xN: `tally serve` with TALLY_QUEUE=kafka, N `tally consume counting` processes (nice 5)
  and one `tally consume storing` (nice 19: it may lag by design, and yields the cores).
Printed per run: acknowledged events/s, counted events/s end to end (from the first request
until the counters hold every event), the counting members' CPU per event and events per
core-second (what one more core of counting buys), how far storing lagged when counting was
done, the rate it stored at end to end, and how long after counting it caught up (at what
rate); then the CPU each part of the box spent an event until all was counted (broker,
Cassandra, PostgreSQL, the storing member, the load generator): what sizing machines needs.
`--logs DIR` keeps the members' logs, with a line per counting batch. The load generator
(bench/ingest.py's clients) shares the box.

Before the measured rounds, unmeasured pairs of a spool run and a Kafka run (`--warmup`
events each) repeat until the JVMs (broker, Cassandra) have compiled their hot paths: until
compiling (the compiler threads' CPU) takes at most 1 us an event in each, at most
`--warmup-max` pairs. Each run also prints what compiling took of the JVMs' CPU. Each
round's runs start once the request workers have loaded the app. At the end: every Kafka
run's rate against the spool run of its own round, and the medians.
"""

from __future__ import annotations

import argparse
import base64
import os
import resource
import signal
import statistics
import subprocess
import sys
import time
import uuid
from contextlib import ExitStack
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from ingest import cpu_of, drive, loaded_workers, make_bodies, stat_cpu  # noqa: E402

from backend.counters.base import day_floor  # noqa: E402
from tests.conftest import throwaway_pg_database  # noqa: E402
from tests.live_server import LiveServer  # noqa: E402

METRICS = ("Placed Order", "Viewed Product")
JIT_QUIET_US = 1.0  # the JVMs are warm once compiling takes at most this much CPU an event


def counted(store, account_id: str) -> int:
    # The events' days only (make_bodies: the last 10,000 minutes), by their day cells: polled
    # every 0.1 s, hour cells (~170 rows a metric) cost Cassandra ~20% of a core, which the
    # runs it measures share.
    today = day_floor(datetime.utcnow())
    far = (today - timedelta(days=8), today + timedelta(days=2))
    return sum(
        t.count for m in METRICS for t in store.read(account_id, m, "", *far, grain="day").values()
    )


def stored(db, account_id: str) -> int:
    from sqlalchemy import func, select

    from backend.store.models import Event

    with db.session() as s:
        return s.scalar(select(func.count()).where(Event.account_id == account_id))


def services() -> dict[str, list[int]]:
    """The shared services' processes, by what the cmdline says (scripts/services.sh starts
    them): their CPU per event is what sizing machines for them needs."""
    found: dict[str, list[int]] = {"broker": [], "cassandra": [], "postgres": []}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"kafka.Kafka" in cmd:
            found["broker"].append(int(pid))
        elif b"CassandraDaemon" in cmd:
            found["cassandra"].append(int(pid))
        elif cmd.startswith(b"postgres"):
            found["postgres"].append(int(pid))
    return found


def service_cpu() -> dict[str, float]:
    """CPU seconds so far, per service (PostgreSQL backends that ended since are not seen)."""
    return {name: cpu_of(pids) for name, pids in services().items()}


def jit_seconds() -> dict[str, float]:
    """CPU seconds each JVM service's JIT compiler threads have spent so far: the part of its
    CPU that is the JVM warming up, not the load. HotSpot keeps one C1 and one C2 thread
    alive on a 2-core box; the time of an extra one that ended would not be seen."""
    found = {}
    for name, pids in services().items():
        if name == "postgres":
            continue
        total = 0.0
        for pid in pids:
            try:
                tasks = os.listdir(f"/proc/{pid}/task")
            except OSError:
                continue
            for tid in tasks:
                task = f"/proc/{pid}/task/{tid}"
                try:
                    # "C1 CompilerThre", "C2 CompilerThre": the kernel keeps 15 characters
                    if "CompilerThre" in Path(f"{task}/comm").read_text():
                        total += stat_cpu(f"{task}/stat")
                except OSError:
                    continue
        found[name] = total
    return found


def clients_cpu() -> float:
    """CPU of the reaped load-generator processes."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def member(env: dict, role: str, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(ROOT / "app.py"), "consume", role],
        env={**os.environ, **env},
        cwd=ROOT,
        stdout=open(log, "ab"),  # noqa: SIM115 (lives as long as the process)
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def drop_topics(settings) -> None:
    from confluent_kafka import KafkaException
    from confluent_kafka.admin import AdminClient

    from backend.queue import topics

    admin = AdminClient({"bootstrap.servers": settings.kafka_bootstrap})
    for f in admin.delete_topics(list(topics.names(settings).topics)).values():
        try:
            f.result(30)
        except KafkaException as exc:  # a bench run's leftovers are not worth failing it for
            print(f"could not delete a topic: {exc}", file=sys.stderr)


def assigned(log: Path) -> bool:
    return log.exists() and "counting partitions [" in log.read_text(errors="replace")


def run(args, tmp: Path, consumers: int) -> dict:
    """One run: consumers=0 is the spool path."""
    from backend.accounts.service import create_account
    from backend.config import Settings
    from backend.counters.cassandra import CassandraCounterStore
    from backend.queue.producer import check_reachable
    from backend.store.db import Database

    name = "spool" if consumers == 0 else f"kafka x{consumers}"
    keyspace = f"bench_{uuid.uuid4().hex[:8]}"
    hosts = os.environ["TALLY_TEST_CASSANDRA_HOSTS"]
    with ExitStack() as stack:
        url = stack.enter_context(throwaway_pg_database("tally_bench"))
        env = {
            "TALLY_VAR_DIR": str(tmp / name.replace(" ", "")),
            "TALLY_SECRET_KEY": "bench" * 8,
            "TALLY_DATABASE_URL": url,
            "TALLY_COUNTERS": "cassandra",
            "TALLY_CASSANDRA_HOSTS": hosts,
            "TALLY_CASSANDRA_KEYSPACE": keyspace,
            "TALLY_QUEUE": "kafka" if consumers else "spool",
            "TALLY_KAFKA_BOOTSTRAP": os.environ.get("TALLY_TEST_KAFKA_BOOTSTRAP", ""),
            "TALLY_KAFKA_PREFIX": f"b{uuid.uuid4().hex[:8]}",
            "TALLY_KAFKA_PARTITIONS": str(args.partitions),
        }
        settings = Settings.from_env(env, env_file=None)
        settings.var_dir.mkdir(parents=True)
        db = Database(settings.database_url)
        db.migrate()
        with db.session() as s:
            acc = create_account(s, "Bench")
        store = CassandraCounterStore(tuple(hosts.split(",")), keyspace, 1)
        stack.callback(store.close)
        stack.callback(lambda: store.session.execute(f"DROP KEYSPACE IF EXISTS {keyspace}"))
        procs: list[subprocess.Popen] = []
        if consumers:
            check_reachable(settings)  # the topics, before the members subscribe
            # Deleted after the run (the callbacks run last to first: after the members
            # stop): a broker that kept every run's partitions (~1,000 after a day of
            # runs) spent more on each later run.
            stack.callback(drop_topics, settings)
            logs = [settings.var_dir / f"counting-{i}.log" for i in range(consumers)]
            procs = [member(env, "counting", log) for log in logs]
            procs.append(member(env, "storing", settings.var_dir / "storing.log"))
            deadline = time.monotonic() + 120
            while not all(assigned(log) for log in logs) and time.monotonic() < deadline:
                time.sleep(0.3)
        server = LiveServer(env, workers=args.workers).start(timeout=120)
        stack.callback(server.stop)
        stack.callback(lambda: [p.send_signal(signal.SIGKILL) for p in procs])
        auth = "Basic " + base64.b64encode(f"{acc.write_key}:".encode()).decode()
        bodies = make_bodies(args.events, args.batch, "k", "uuid")
        workers = loaded_workers(server.proc.pid, server.workers)
        members = [p.pid for p in procs[:consumers]]
        storing = [p.pid for p in procs[consumers:]]
        cpu0, mcpu0, scpu0 = cpu_of(workers), cpu_of(members), cpu_of(storing)
        svc0, jit0, ccpu0 = service_cpu(), jit_seconds(), clients_cpu()
        t0 = time.perf_counter()
        ack_s = drive(server.port, auth, bodies, args.clients)
        ack_cpu = cpu_of(workers) - cpu0
        client_cpu = clients_cpu() - ccpu0
        while (n := counted(store, acc.id)) < args.events:
            time.sleep(0.1)
        e2e_s = time.perf_counter() - t0
        member_cpu = cpu_of(members) - mcpu0
        svc = {k: v - svc0.get(k, 0.0) for k, v in service_cpu().items()}
        jit = {k: v - jit0.get(k, 0.0) for k, v in jit_seconds().items()}
        svc["storing member"] = cpu_of(storing) - scpu0
        svc["load generator"] = client_cpu
        assert n == args.events, n
        unstored = args.events - stored(db, acc.id)
        # Storing under the same load: until every event is on profiles (or the cap).
        deadline = time.monotonic() + args.store_cap
        while (kept := stored(db, acc.id)) < args.events and time.monotonic() < deadline:
            time.sleep(0.5)
        stored_s = time.perf_counter() - t0
        db.dispose()
        behind = stored_s - e2e_s
        return {
            "store_behind_s": behind,
            "catch_up": unstored / behind if behind > 0 and kept == args.events else None,
            "name": name,
            "ack": args.events / ack_s,
            "counted": args.events / e2e_s,
            "ack_cpu_us": ack_cpu / args.events * 1e6,
            "member_cpu_us": member_cpu / args.events * 1e6 if consumers else None,
            "unstored": unstored,
            "stored": kept / stored_s,
            "stored_all": kept == args.events,
            # Until all counted: what each part of the box spent an event, and the box's load.
            "service_us": {k: v / args.events * 1e6 for k, v in svc.items()},
            # Of the JVMs' CPU, what compiling took: a JVM still warming up, not the load.
            "jit_us": {k: v / args.events * 1e6 for k, v in jit.items()},
            "load": os.getloadavg()[0],
        }


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--events", type=int, default=100_000)
    p.add_argument("--batch", type=int, default=500)
    p.add_argument(
        "--clients",
        type=int,
        default=None,
        help="load-generator processes, each a request at a time (default: two for each "
        "request thread, 16 at 2 workers, so none idles while its client reads an answer "
        "and sends the next; one for each left cores idle in Kafka mode: docs/kafka.md)",
    )
    p.add_argument(
        "--workers",
        type=int,
        default=2,
        help="request workers: one a core here, since the broker, Cassandra, PostgreSQL and "
        "the members share them (`tally serve`'s default, cores + 1, is for a machine of "
        "its own)",
    )
    p.add_argument("--consumers", default="1,2,3", help="counting members per Kafka run")
    p.add_argument("--rounds", type=int, default=1, help="of the plan (spool, then each Kafka run)")
    p.add_argument(
        "--warmup",
        type=int,
        default=100_000,
        help="events of each unmeasured warm-up pair, a spool run and a Kafka run (0: none)",
    )
    p.add_argument(
        "--warmup-max",
        type=int,
        default=6,
        help="warm-up pairs at most: they repeat until compiling takes at most "
        f"{JIT_QUIET_US:g} us of CPU an event in each JVM",
    )
    p.add_argument(
        "--partitions",
        type=int,
        default=12,
        help="of the events topic (a record per partition a request touches)",
    )
    p.add_argument("--store-cap", type=float, default=300, help="seconds to wait for storing")
    p.add_argument("--no-spool", action="store_true", help="skip the spool baseline")
    p.add_argument("--logs", help="keep the members' logs here (a line per counting batch)")
    args = p.parse_args()
    if args.clients is None:
        from backend.server import THREADS

        args.clients = 2 * args.workers * THREADS
    import tempfile

    plan = ([] if args.no_spool else [0]) + [int(c) for c in args.consumers.split(",") if c]
    results = []
    if args.logs:
        os.environ["TALLY_QUEUE_LOG_LEVEL"] = "DEBUG"
    with tempfile.TemporaryDirectory() as d:
        if args.warmup:
            # The JVMs compile their hot paths during their first minutes of load: on JVMs
            # started for the bench, compiling took 43% of the broker's and of Cassandra's
            # CPU over their first ~1.4M events (docs/kafka.md, "Speed"). Production
            # services run for weeks; this measures that state: warm-up pairs until
            # compiling is a small part (a share of a JVM's CPU was too noisy a test: 0.1
            # of 1.2 us an event is 8%).
            warm = argparse.Namespace(**{**vars(args), "events": args.warmup})
            for n in range(args.warmup_max):
                jit = 0.0
                for c in sorted({min(c, 1) for c in plan}):
                    res = run(warm, Path(d) / f"warm-{n}-{c}", c)
                    print(f"(warm-up, not measured) {_line(res, []).lstrip()}", flush=True)
                    jit = max(jit, _jit_us(res))
                if jit <= JIT_QUIET_US:
                    break
        for r in range(args.rounds):
            for i, c in enumerate(plan):
                res = run(args, Path(args.logs or d) / f"r{r}-{i}", c)
                results.append(res)
                print(_line(res, results), flush=True)
    _summary(results)


def _jit_us(res: dict) -> float:
    """The most CPU an event that any JVM service's compiling took in a run."""
    return max(res["jit_us"].values(), default=0.0)


def _summary(results: list[dict]) -> None:
    """Each Kafka run against the spool run of its own round, then the medians."""
    if len(results) < 2:
        return
    ratios: dict[str, list[float]] = {}
    rates: dict[str, list[float]] = {}
    base = None
    for res in results:
        rates.setdefault(res["name"], []).append(res["counted"])
        if res["name"] == "spool":
            base = res["counted"]
        elif base:
            ratios.setdefault(res["name"], []).append(res["counted"] / base)
    print("\ncounted end to end, per run (median):")
    for name, got in rates.items():
        line = f"{name:>10}: " + ", ".join(f"{r:,.0f}" for r in got)
        line += f"/s ({statistics.median(got):,.0f})"
        if name in ratios:
            line += "; against its round's spool: " + ", ".join(f"{x:.1f}x" for x in ratios[name])
            line += f" ({statistics.median(ratios[name]):.1f}x)"
        print(line)


def _line(res: dict, results: list[dict]) -> str:
    base = [r["counted"] for r in results if r["name"] == "spool"]
    ratio = f" ({res['counted'] / base[-1]:.1f}x spool)" if base and res["name"] != "spool" else ""
    member = (
        f", counting CPU {res['member_cpu_us']:.1f} us/event "
        f"= {1e6 / res['member_cpu_us']:,.0f} events per core-second"
        if res["member_cpu_us"]
        else ""
    )
    return (
        f"{res['name']:>10}: acknowledged {res['ack']:,.0f}/s, counted end to end "
        f"{res['counted']:,.0f}/s{ratio}; request workers {res['ack_cpu_us']:.1f} us/event"
        f"{member}; not yet stored when counted: {res['unstored']:,}; stored end to end "
        f"{res['stored']:,.0f}/s{'' if res['stored_all'] else ' (cap reached)'}"
        + (
            f", all stored {res['store_behind_s']:.1f} s after all counted "
            f"(caught up at {res['catch_up']:,.0f}/s)"
            if res["catch_up"]
            else ""
        )
        + "\n            until counted, CPU us/event: "
        + ", ".join(f"{k} {v:.1f}" for k, v in res["service_us"].items())
        + f" (load average {res['load']:.1f})"
        + "\n            of which JIT compiling: "
        + ", ".join(f"{k} {v:.1f}" for k, v in res["jit_us"].items())
    )


if __name__ == "__main__":
    main()

"""PyFlink's counting job measured beside Tally's hand-written counting member, same records.

    var/flink/venv/bin/python bench/flink_counting.py [--messages 100000]
        [--parallelism 1,2] [--backends hashmap,rocksdb] [--rounds 1] [--startup]
        [--exec-mode process|thread] [--workers process|loopback]
        [--tally] [--bootstrap 127.0.0.1:19092]

Not part of `make test`, and not run with the repo's venv: PyFlink pins its own numpy,
pandas, protobuf and apache-beam, so it lives in a venv of its own, outside the repo:

    python3.11 -m venv var/flink/venv
    var/flink/venv/bin/pip install 'apache-flink==2.3.*' confluent-kafka psutil

The Kafka connector is a jar (Java 17 runs the job): the shaded SQL connector bundles
kafka-clients, so it is the only jar needed. With a throwaway pom.xml whose one dependency is
org.apache.flink:flink-sql-connector-kafka:5.0.0-2.2 (packaging "pom"):

    mvn -q -B dependency:copy-dependencies -DoutputDirectory=var/flink/jars

(--jars names another directory.) A Kafka broker must run (--bootstrap).

What it does: a fresh topic `flinkbench-<random>.events` (12 partitions) gets N records of
Tally's version 0 (backend/queue/records.py: key account \\0 messageId, value
{"a", "t", "m": the message in spool form}), ~5% of them exact retries (a messageId sent
again, same key and value). Then, per state backend and parallelism, a PyFlink DataStream
job in a process of its own:

    KafkaSource (bounded: earliest .. the offsets at start) -> parse JSON -> key_by(dedup key)
    -> KeyedProcessFunction: ValueState "seen" (7-day TTL), drops repeats
    -> key_by(account, metric, hour) -> KeyedProcessFunction: a count in ValueState, emitted
       by an event-time timer when the bounded input ends -> collected by the driver

with checkpoints every 2 s, EXACTLY_ONCE, to a file directory. The counts must equal what
was produced (N less the retries, per account, metric and hour), else it fails loudly.

--tally also runs Tally's counting member (backend/queue/counting.py) on the same topic, with
the repo's venv (.venv/bin/python): its own transactions, state topic and dedup, the
account's dimensions taken as none (no database) and a counter store that only sums what it
is given (no Cassandra), so both sides measure the Kafka side. The messages carry no IP
(no geolocation), so the member does about the work the Flink job does.

Printed per run: wall seconds and messages/s from the job's start to its end (JVM, Python
workers and all), the processing span (first record to last record in the Python workers)
and its rate, the CPU seconds of the whole process tree (JVM + Python workers) and CPU us per
message, peak RSS of the tree, and the load average before and after. --startup adds a run on
a topic of 1,000 messages: about all of its wall time is start-up and tear-down.

--exec-mode: PyFlink's default, "process", runs the Python functions in Beam workers fed over
gRPC, and every keyed-state read of a key not in the worker's cache is a round trip to the
JVM: with a dedup key per message, that is every message. "thread" runs them in CPython
embedded in the JVM (pemja; the embedded interpreter is given this venv's site-packages).
--workers: PyFlink's local default ("loopback") runs the Beam workers inside the driver's
Python process, all of them under one GIL; "process" (here the default) gives each its own
process, as a cluster's task managers do.

Measured 2026-12-07 (2 cores, Java 17, apache-flink 2.3.0, flink-sql-connector-kafka
5.0.0-2.2, Kafka 4.4 on the same box, other benchmarks running beside: load 2-10). Every run
counted exactly. msg/s = wall, job start to end; span = first to last record in Python.

| run | records | msg/s (wall) | span msg/s | CPU us/msg | peak RSS |
| --- | ---: | ---: | ---: | ---: | ---: |
| Flink process/loopback, hashmap, p1 | 100k | 489 | 538 | 2,211 | 969 MiB |
| Flink process/process, hashmap, p1 | 100k | 570 | 616 | 2,192 | 903 MiB |
| Flink process/process, hashmap, p2 | 100k | 852 | 969 | 2,042 | 1,195 MiB |
| Flink thread, hashmap, p1 (2 runs) | 100k | 3,983 / 3,237 | 8,003 / 6,953 | 262 / 355 | 1,016 MiB |
| Flink thread, hashmap, p2 | 100k | 5,146 / 4,189 | 13,872 / 10,160 | 251 / 298 | 1,034 MiB |
| Flink thread, rocksdb, p1 | 100k | 4,429 / 4,266 | 10,290 / 10,499 | 270 / 280 | 975 MiB |
| Flink thread, rocksdb, p2 | 100k | 4,675 / 4,044 | 9,139 / 9,501 | 281 / 318 | 992 MiB |
| Flink thread, hashmap, p1 / p2 | 300k | 5,893 / 4,597 | 8,982 / 6,041 | 205 / 281 | 1,106 MiB |
| Flink thread, rocksdb, p1 / p2 | 300k | 5,901 / 4,414 | 8,516 / 5,339 | 222 / 319 | 1,072 MiB |
| Tally's member (2 runs) | 100k | 10,668 / 9,348 | 79,808 / 91,863 | 19 / 18 | 151 MiB |
| Tally's member | 300k | 25,769 | 86,651 | 15 | 276 MiB |

Start-up (runs of 1,000 messages): a Flink job took 12-23 s of wall time, its first record
reached Python 9-20 s after the process started, and it burnt 15-26 s of CPU (JVM start,
JIT, mini-cluster, Python workers) before counting anything; Tally's member read its first
record after ~8 s (imports, topics, init_transactions, the group join) for 0.6-0.8 s of CPU.
Thread mode is ~8x process mode, but one GIL: p2 gains little or loses.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
JARS = str(ROOT / "var" / "flink" / "jars")  # var/: ignored by git, the machine's own
REPO_PYTHON = ROOT / ".venv" / "bin" / "python"
METRICS = ("Placed Order", "Viewed Product")
ACCOUNTS = 3
PARTITIONS = 12
RETRY_SHARE = 0.05
NEVER = 2**63 - 2  # an event-time timer that fires when a bounded input ends (MAX watermark)


# -- the records --


def produce(bootstrap: str, topic: str, n: int, seed: int = 7) -> dict[str, int]:
    """N version-0 records, ~5% exact retries; returns the expected counts per
    "account\\tmetric\\thour" (retries counted once)."""
    from confluent_kafka import Producer
    from confluent_kafka.admin import AdminClient, NewTopic

    admin = AdminClient({"bootstrap.servers": bootstrap})
    admin.create_topics([NewTopic(topic, PARTITIONS, 1)])[topic].result()
    rng = random.Random(seed)
    accounts = [str(uuid.UUID(int=rng.getrandbits(128))) for _ in range(ACCOUNTS)]
    now_ms = int(time.time() * 1000)
    week_ms = 7 * 24 * 3600 * 1000
    p = Producer(
        {
            "bootstrap.servers": bootstrap,
            "linger.ms": 20,
            "compression.type": "lz4",
            "enable.idempotence": True,
            "acks": "all",
        }
    )
    expected: dict[str, int] = {}
    sent: list[tuple[bytes, bytes]] = []
    for i in range(n):
        if sent and rng.random() < RETRY_SHARE:  # the same messageId again, as a client retries
            key, value = sent[rng.randrange(len(sent))]
        else:
            acc = accounts[i % ACCOUNTS]
            mid = str(uuid.UUID(int=rng.getrandbits(128)))
            metric = METRICS[rng.random() < 0.3]
            ts = now_ms - rng.randrange(week_ms)
            msg = {
                "t": "track",
                "id": mid,
                "u": f"user-{rng.randrange(5000)}",
                "a": None,
                "e": metric,
                "p": {"value": 12.5},
                "tr": {},
                "ts": ts,
                "ip": None,
            }
            key = f"{acc}\x00{mid}".encode()
            value = json.dumps({"a": acc, "t": now_ms / 1000, "m": msg}).encode()
            sent.append((key, value))
            bucket = f"{acc}\t{metric}\t{ts // 3_600_000}"
            expected[bucket] = expected.get(bucket, 0) + 1
        while True:
            try:
                p.produce(topic, value, key)
                break
            except BufferError:
                p.poll(0.1)
        p.poll(0)
    if p.flush(60):
        raise SystemExit("produce: records left undelivered")
    return expected


# -- the PyFlink job (one process per run: `_job`) --


def job(args) -> None:
    t_proc = time.time()
    from pyflink.common import Configuration, Types, WatermarkStrategy
    from pyflink.common.serialization import SimpleStringSchema
    from pyflink.common.time import Time
    from pyflink.datastream import (
        CheckpointingMode,
        KeyedProcessFunction,
        StreamExecutionEnvironment,
    )
    from pyflink.datastream.connectors.kafka import KafkaOffsetsInitializer, KafkaSource
    from pyflink.datastream.state import StateTtlConfig, ValueStateDescriptor

    marks = args.marks

    class Dedup(KeyedProcessFunction):
        def open(self, ctx):
            ttl = (
                StateTtlConfig.new_builder(Time.days(7))
                .set_update_type(StateTtlConfig.UpdateType.OnCreateAndWrite)
                .set_state_visibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
                .build()
            )
            desc = ValueStateDescriptor("seen", Types.BOOLEAN())
            desc.enable_time_to_live(ttl)
            self.seen = ctx.get_state(desc)
            self.first = self.last = None
            self.n = 0

        def process_element(self, value, ctx):
            now = time.time()
            if self.first is None:
                self.first = now
            self.last = now
            self.n += 1
            if self.seen.value() is None:
                self.seen.update(True)
                yield value[1]

        def close(self):
            if self.first is not None:
                with open(os.path.join(marks, f"{os.getpid()}-{id(self)}"), "w") as f:
                    json.dump({"first": self.first, "last": self.last, "n": self.n}, f)

    class Count(KeyedProcessFunction):
        def open(self, ctx):
            self.count = ctx.get_state(ValueStateDescriptor("n", Types.LONG()))

        def process_element(self, value, ctx):
            n = self.count.value()
            if n is None:
                ctx.timer_service().register_event_time_timer(NEVER)
                n = 0
            self.count.update(n + 1)

        def on_timer(self, timestamp, ctx):
            yield ctx.get_current_key(), self.count.value()

    def parse(value: str):
        rec = json.loads(value)
        m = rec["m"]
        acc = rec["a"]
        return acc + "\x00" + m["id"], f"{acc}\t{m['e']}\t{m['ts'] // 3_600_000}"

    conf = Configuration()
    conf.set_string("state.backend.type", args.backend)
    conf.set_string("execution.checkpointing.dir", f"file://{args.checkpoints}")
    conf.set_string("python.execution-mode", args.exec_mode)
    env = StreamExecutionEnvironment.get_execution_environment(conf)
    env.set_parallelism(args.parallelism)
    env.set_python_executable(sys.executable)
    env.add_jars(*[f"file://{p}" for p in sorted(Path(args.jars).glob("*.jar"))])
    env.enable_checkpointing(2000, CheckpointingMode.EXACTLY_ONCE)
    source = (
        KafkaSource.builder()
        .set_bootstrap_servers(args.bootstrap)
        .set_topics(args.topic)
        .set_group_id(f"{args.topic}-flink")
        .set_starting_offsets(KafkaOffsetsInitializer.earliest())
        .set_bounded(KafkaOffsetsInitializer.latest())
        .set_value_only_deserializer(SimpleStringSchema())
        .build()
    )
    counts = (
        env.from_source(source, WatermarkStrategy.for_monotonous_timestamps(), "events")
        .map(parse, output_type=Types.TUPLE([Types.STRING(), Types.STRING()]))
        .key_by(lambda r: r[0], key_type=Types.STRING())
        .process(Dedup(), output_type=Types.STRING())
        .key_by(lambda b: b, key_type=Types.STRING())
        .process(Count(), output_type=Types.TUPLE([Types.STRING(), Types.LONG()]))
    )
    t_env = time.time()
    got: dict[str, int] = {}
    with counts.execute_and_collect(f"flinkbench-{args.backend}-p{args.parallelism}") as rows:
        for bucket, n in rows:
            got[bucket] = got.get(bucket, 0) + n
    t_end = time.time()
    print(
        "RESULT " + json.dumps({"t_proc": t_proc, "t_env": t_env, "t_end": t_end, "counts": got}),
        flush=True,
    )


# -- Tally's counting member on the same topic (`_tally`, with the repo's venv) --


def tally(args) -> None:
    t_proc = time.time()
    sys.path.insert(0, str(ROOT))
    from datetime import datetime, timedelta
    from types import SimpleNamespace

    from backend.queue import topics
    from backend.queue.counting import CountingConsumer

    class Sums:
        """A counter store that only adds up the totals (dimension "") it is given."""

        def __init__(self):
            self.totals: dict[str, int] = {}
            self.flushes: set[str] = set()

        def increment(self, flush_id, deltas) -> None:
            if flush_id in self.flushes:
                return
            self.flushes.add(flush_id)
            for k, v in deltas.items():
                if k.dimension == "":
                    hour = (k.hour - datetime(1970, 1, 1)) // timedelta(hours=1)
                    b = f"{k.account_id}\t{k.metric}\t{hour}"
                    self.totals[b] = self.totals.get(b, 0) + v.count

    class Member(CountingConsumer):
        def _dimensions(self, account_id):  # no database: the account counts by no property
            return []

    class RunNames(topics.Names):
        """The events topic given; the group and the state topic fresh for every run."""

        @property
        def events(self) -> str:
            return args.topic

    names = RunNames(args.prefix)
    topics.names = lambda settings: names  # what CountingConsumer asks for
    topics.ensure(args.bootstrap, names, PARTITIONS)
    settings = SimpleNamespace(kafka_bootstrap=args.bootstrap, kafka_prefix=args.prefix)
    sums = Sums()
    member = Member(settings, None, sums)
    member.consumer.subscribe(
        [names.events], on_assign=member._on_assign, on_revoke=member._on_revoke
    )
    t_env = time.time()
    read = new = 0
    first = last = None
    deadline = time.monotonic() + 600
    while read < args.records:
        if time.monotonic() > deadline:
            raise SystemExit(f"tally member: {read} of {args.records} records read in 600 s")
        msgs = member._gather()
        if not msgs:
            continue
        now = time.time()
        first = first or now
        read += sum(1 for m in msgs if m.error() is None)
        new += member.process(msgs)
        last = time.time()
    member._settle()
    member._increments.shutdown(wait=True)
    member.consumer.close()
    t_end = time.time()
    with open(os.path.join(args.marks, "tally"), "w") as f:
        json.dump({"first": first, "last": last, "n": read, "new": new}, f)
    print(
        "RESULT "
        + json.dumps({"t_proc": t_proc, "t_env": t_env, "t_end": t_end, "counts": sums.totals}),
        flush=True,
    )


# -- running and measuring one process tree --


class Tree:
    """Samples a process tree: peak summed RSS, and CPU per pid (for those that exit before
    the end, the last sample; the whole tree's CPU is also taken from the kernel's rusage of
    reaped children, whichever is larger)."""

    def __init__(self, pid: int):
        import psutil

        self.root = psutil.Process(pid)
        self.peak_rss = 0
        self.cpu: dict[int, float] = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        import psutil

        while not self.stop.is_set():
            try:
                procs = [self.root, *self.root.children(recursive=True)]
            except psutil.Error:
                break
            rss = 0
            for p in procs:
                try:
                    with p.oneshot():
                        rss += p.memory_info().rss
                        t = p.cpu_times()
                        self.cpu[p.pid] = t.user + t.system
                except psutil.Error:
                    pass
            self.peak_rss = max(self.peak_rss, rss)
            self.stop.wait(0.2)

    def done(self) -> None:
        self.stop.set()
        self.thread.join()


def measured(cmd: list[str], marks: str, env: dict | None = None) -> dict:
    for f in Path(marks).glob("*"):
        f.unlink()
    load0 = os.getloadavg()
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.time()
    proc = subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT
    )
    tree = Tree(proc.pid)
    out, err = proc.communicate()
    t1 = time.time()
    tree.done()
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    load1 = os.getloadavg()
    if proc.returncode != 0:
        sys.stderr.write(err[-6000:])
        raise SystemExit(f"{cmd[2]} exited {proc.returncode}")
    line = next(ln for ln in out.splitlines() if ln.startswith("RESULT "))
    res = json.loads(line[len("RESULT ") :])
    spans = [json.loads(f.read_text()) for f in Path(marks).glob("*")]
    rusage_cpu = (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
    res.update(
        wall=t1 - t0,
        cpu=max(rusage_cpu, sum(tree.cpu.values())),
        peak_rss=tree.peak_rss,
        load=(load0, load1),
        first=min((s["first"] for s in spans), default=None),
        last=max((s["last"] for s in spans), default=None),
        t0=t0,
    )
    return res


def site_packages() -> str:
    import sysconfig

    return sysconfig.get_paths()["purelib"]


def report(name: str, res: dict, records: int, expected: dict[str, int]) -> str:
    if res["counts"] != expected:
        diff = {
            k: (res["counts"].get(k), expected.get(k))
            for k in set(res["counts"]) | set(expected)
            if res["counts"].get(k) != expected.get(k)
        }
        total = sum(res["counts"].values())
        raise SystemExit(
            f"{name}: WRONG COUNT {total} != {sum(expected.values())} "
            f"({len(diff)} buckets differ, e.g. {list(diff.items())[:3]})"
        )
    span = (res["last"] - res["first"]) if res["first"] else float("nan")
    to_first = (res["first"] - res["t0"]) if res["first"] else float("nan")
    l0, l1 = res["load"]
    return (
        f"{name}: {records:,} records ({sum(expected.values()):,} counted, exact): "
        f"wall {res['wall']:.1f} s = {records / res['wall']:,.0f} msg/s; "
        f"first record after {to_first:.1f} s, processing span {span:.1f} s "
        f"= {records / span:,.0f} msg/s; "
        f"CPU {res['cpu']:.1f} s = {res['cpu'] / records * 1e6:.0f} us/msg; "
        f"peak RSS {res['peak_rss'] / 2**20:,.0f} MiB; "
        f"load {l0[0]:.2f},{l0[1]:.2f},{l0[2]:.2f} -> {l1[0]:.2f},{l1[1]:.2f},{l1[2]:.2f}"
    )


def main() -> None:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--messages", type=int, default=100_000)
    p.add_argument("--parallelism", default="1,2")
    p.add_argument("--backends", default="hashmap,rocksdb")
    p.add_argument(
        "--exec-mode",
        default="process",
        help="python.execution-mode: process (Beam workers over gRPC) or thread (embedded)",
    )
    p.add_argument(
        "--workers",
        default="process",
        help="process: Python workers of their own, as a cluster runs them; loopback: "
        "PyFlink's local default, every worker inside the driver's Python process",
    )
    p.add_argument("--rounds", type=int, default=1)
    p.add_argument("--startup", action="store_true", help="also a run of 1,000 messages")
    p.add_argument("--tally", action="store_true", help="also Tally's counting member")
    p.add_argument("--bootstrap", default="127.0.0.1:19092")
    p.add_argument("--jars", default=JARS)
    args = p.parse_args()
    from confluent_kafka.admin import AdminClient

    me = [sys.executable, str(Path(__file__).resolve())]
    work = Path(tempfile.mkdtemp(prefix="flinkbench-"))
    marks = work / "marks"
    marks.mkdir()
    made: list[str] = []
    try:
        plan = [(args.messages, f"flinkbench-{uuid.uuid4().hex[:10]}.events")]
        if args.startup:
            plan.insert(0, (1000, f"flinkbench-{uuid.uuid4().hex[:10]}.events"))
        for records, topic in plan:
            made.append(topic)
            t = time.time()
            expected = produce(args.bootstrap, topic, records)
            print(
                f"produced {records:,} records to {topic} in {time.time() - t:.1f} s "
                f"({records - sum(expected.values()):,} retries)",
                flush=True,
            )
            for r in range(args.rounds):
                for backend in args.backends.split(","):
                    for par in [int(x) for x in args.parallelism.split(",")]:
                        cmd = [
                            *me,
                            "_job",
                            "--topic",
                            topic,
                            "--bootstrap",
                            args.bootstrap,
                            "--jars",
                            args.jars,
                            "--backend",
                            backend,
                            "--parallelism",
                            str(par),
                            "--exec-mode",
                            args.exec_mode,
                            "--checkpoints",
                            str(work / f"ckpt-{uuid.uuid4().hex[:6]}"),
                            "--marks",
                            str(marks),
                        ]
                        env = {**os.environ, "_python_worker_execution_mode": args.workers}
                        if args.exec_mode == "thread":  # the JVM's embedded CPython: our venv
                            env["PYTHONPATH"] = site_packages()
                        res = measured(cmd, str(marks), env)
                        name = f"r{r} flink {backend} p{par} {args.exec_mode}/{args.workers}"
                        print(report(name, res, records, expected), flush=True)
                if args.tally:
                    prefix = f"{topic.removesuffix('.events')}-r{r}"
                    made += [prefix + s for s in (".counting.state", ".events.dead")]
                    cmd = [
                        str(REPO_PYTHON),
                        me[1],
                        "_tally",
                        "--topic",
                        topic,
                        "--bootstrap",
                        args.bootstrap,
                        "--records",
                        str(records),
                        "--prefix",
                        prefix,
                        "--marks",
                        str(marks),
                    ]
                    env = {**os.environ, "PYTHONPATH": str(ROOT)}
                    res = measured(cmd, str(marks), env)
                    print(report(f"r{r} tally member", res, records, expected), flush=True)
    finally:
        admin = AdminClient({"bootstrap.servers": args.bootstrap})
        for topic, fut in admin.delete_topics(sorted(set(made)), operation_timeout=30).items():
            try:
                fut.result()
            except Exception as exc:  # noqa: BLE001 (a topic never made, say)
                print(f"could not delete {topic}: {exc}", file=sys.stderr)
        subprocess.run(["rm", "-rf", str(work)], check=False)


def sub() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("role")
    p.add_argument("--topic", required=True)
    p.add_argument("--bootstrap", required=True)
    p.add_argument("--marks", required=True)
    p.add_argument("--jars")
    p.add_argument("--backend")
    p.add_argument("--parallelism", type=int)
    p.add_argument("--exec-mode")
    p.add_argument("--checkpoints")
    p.add_argument("--records", type=int)
    p.add_argument("--prefix")
    args = p.parse_args()
    (job if args.role == "_job" else tally)(args)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] in ("_job", "_tally"):
        sub()
    else:
        main()

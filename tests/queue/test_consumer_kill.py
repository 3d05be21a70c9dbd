"""kill -9 of counting consumers in the middle of a stream: the counters equal a single-node
reference run exactly (nothing lost, nothing counted twice), while a client keeps sending and
retrying. The members are real `tally consume counting` processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from backend.counters import counter_store
from tests.conftest import TEST_SECRET
from tests.queue.conftest import basic, lag_of, messages, new_account, node, read_counts

ROOT = Path(__file__).resolve().parents[2]


def member(env: dict, tmp_path: Path, name: str) -> subprocess.Popen:
    full = {
        **os.environ,
        **env,
        "TALLY_VAR_DIR": str(tmp_path / name),
        "TALLY_SECRET_KEY": TEST_SECRET,
    }
    log = open(tmp_path / f"{name}.log", "wb")  # noqa: SIM115 (closed with the process)
    return subprocess.Popen(
        [sys.executable, "app.py", "consume", "counting"],
        cwd=ROOT,
        env=full,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def wait_for(cond, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_kill_9_mid_stream_counts_exactly_once(tmp_path, kafka_env, reference):
    app, rt = node(tmp_path, "api", kafka_env)
    procs: list[subprocess.Popen] = []
    try:
        acc = new_account(rt)
        batch = messages(4000, seed=7)
        client = app.test_client()
        go_on, split, sent = threading.Event(), threading.Event(), threading.Event()

        def post(chunk: list[dict]) -> None:
            r = client.post("/v1/batch", json={"batch": chunk}, headers=basic(acc.write_key))
            assert r.status_code == 200

        def stream() -> None:
            # 50 messages a request; every fifth request also resends an earlier one whole
            # (an SDK retrying after a lost answer). The second half waits for the first kill,
            # the last quarter for the two members that follow to share the partitions.
            for i in range(0, len(batch), 50):
                if i == len(batch) // 2:
                    go_on.wait(120)
                if i == len(batch) * 3 // 4:
                    split.wait(120)
                post(batch[i : i + 50])
                if i and i % 250 == 0:
                    post(batch[i - 200 : i - 150])
                time.sleep(0.05 if i >= len(batch) // 2 else 0)
            sent.set()

        sender = threading.Thread(target=stream, daemon=True)
        sender.start()
        first = member(kafka_env, tmp_path, "c1")
        procs.append(first)
        # Mid-stream: as soon as the first member committed a transaction.
        wait_for(lambda: _committed(rt.settings) > 0, 90, "a first commit")
        first.send_signal(signal.SIGKILL)
        first.wait()
        go_on.set()
        # Two members now: the group rebalances between them while the stream goes on.
        procs += [member(kafka_env, tmp_path, "c2"), member(kafka_env, tmp_path, "c3")]
        # Both own partitions (a rebalance split them), and committed more of the stream.
        wait_for(lambda: all(_owns(tmp_path, n) for n in ("c2", "c3")), 90, "both to own some")
        done = _committed(rt.settings)
        split.set()
        wait_for(lambda: _committed(rt.settings) > done, 90, "more commits")
        procs[1].send_signal(signal.SIGKILL)  # a second kill, and a rebalance to one member
        procs[1].wait()
        sender.join(120)
        assert sent.is_set()
        wait_for(lambda: lag_of(rt.settings)["counting"]["lag"] == 0, 120, "counting to catch up")
        # The last member owns every partition again (after the killed one's session ended),
        # so it has replayed any flush the killed one committed but never applied.
        wait_for(lambda: _owns(tmp_path, "c3", "[0, 1, 2, 3]"), 120, "c3 to own every partition")
        procs[2].send_signal(signal.SIGTERM)
        assert procs[2].wait(30) == 0
        assert read_counts(counter_store(rt), acc.id) == reference(batch)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        rt.close()


def _committed(settings) -> int:
    """How many records the counting group has committed (all partitions)."""
    from confluent_kafka import Consumer, TopicPartition

    from backend.queue.topics import names

    t = names(settings)
    c = Consumer({"bootstrap.servers": settings.kafka_bootstrap, "group.id": t.counting_group})
    try:
        parts = [TopicPartition(t.events, p) for p in range(settings.kafka_partitions)]
        got = c.committed(parts, timeout=5)
        return sum(max(tp.offset, 0) for tp in got)
    except Exception:
        return 0
    finally:
        c.close()


def _owns(tmp_path: Path, name: str, which: str = "") -> bool:
    """Whether the member's log says it was last assigned a partition (these ones)."""
    lines = [
        line
        for line in (tmp_path / f"{name}.log").read_text(errors="replace").splitlines()
        if "counting partitions" in line
    ]
    return bool(lines) and not lines[-1].rstrip().endswith("[]") and which in lines[-1]

"""Three brokers (replication 3, min.insync.replicas=2): one is killed with SIGKILL in the
middle of ingestion. Nothing acknowledged is lost: every message a 200 covered is in the
topic, and the counters (a client retrying its 503s, as SDKs do) equal a single-node run."""

from __future__ import annotations

import subprocess
import threading
import time
import uuid
from pathlib import Path

import pytest
from confluent_kafka import Consumer, KafkaError, TopicPartition
from confluent_kafka.admin import AdminClient

from backend.counters import counter_store
from backend.queue.counting import CountingConsumer
from backend.queue.topics import names
from tests.queue.conftest import (
    basic,
    messages,
    new_account,
    node,
    read_counts,
    run_until_caught_up,
)

ROOT = Path(__file__).resolve().parents[2]
KAFKA = str(ROOT / "scripts" / "kafka.sh")
CLUSTER = "127.0.0.1:19192,127.0.0.1:19292,127.0.0.1:19392"


@pytest.fixture(scope="module")
def cluster(kafka_bootstrap):  # only where the suite's own broker runs
    subprocess.run([KAFKA, "cluster-start"], check=True, capture_output=True, timeout=300)
    yield CLUSTER
    subprocess.run([KAFKA, "cluster-stop"], check=False, capture_output=True, timeout=120)


def leader_of(bootstrap: str, topic: str, partition: int) -> int:
    md = AdminClient({"bootstrap.servers": bootstrap}).list_topics(topic, timeout=10)
    return md.topics[topic].partitions[partition].leader


def test_a_broker_killed_during_ingest_loses_nothing_acknowledged(
    tmp_path, cluster, kafka_env, reference
):
    env = {
        **kafka_env,
        "TALLY_KAFKA_BOOTSTRAP": cluster,
        "TALLY_KAFKA_PREFIX": f"c{uuid.uuid4().hex[:8]}",
    }
    app, rt = node(tmp_path, "api", env)
    try:
        t = names(rt.settings)
        md = AdminClient({"bootstrap.servers": cluster}).list_topics(t.events, timeout=10)
        assert all(len(p.replicas) == 3 for p in md.topics[t.events].partitions.values())
        acc = new_account(rt)
        batch = messages(3000, seed=5)
        client = app.test_client()
        acknowledged: list[str] = []
        refused = 0
        half = threading.Event()

        def stream() -> None:
            nonlocal refused
            for i in range(0, len(batch), 50):
                chunk = batch[i : i + 50]
                while True:  # an SDK: retry a 503 with the same messageIds
                    r = client.post(
                        "/v1/batch", json={"batch": chunk}, headers=basic(acc.write_key)
                    )
                    if r.status_code == 200:
                        acknowledged.extend(m["messageId"] for m in chunk)
                        break
                    assert r.status_code == 503
                    refused += 1
                    time.sleep(0.2)
                if i == len(batch) // 2:
                    half.set()
                    time.sleep(0.5)

        sender = threading.Thread(target=stream, daemon=True)
        sender.start()
        assert half.wait(120)
        victim = leader_of(cluster, t.events, 0)  # the leader of a partition being written
        subprocess.run([KAFKA, "node-kill", str(victim)], check=True, timeout=60)
        sender.join(300)
        assert not sender.is_alive()
        assert len(acknowledged) == len(batch)

        live = ",".join(a for i, a in enumerate(cluster.split(","), 1) if i != victim)
        in_topic = read_all(live, t.events, rt.settings.kafka_partitions)
        assert set(acknowledged) <= in_topic  # nothing acknowledged is lost

        counting = CountingConsumer(rt.settings, rt.db, counter_store(rt))
        run_until_caught_up(counting, rt.settings, "counting", timeout=120)
        assert read_counts(counter_store(rt), acc.id) == reference(batch)
    finally:
        rt.close()


def read_all(bootstrap: str, topic: str, partitions: int) -> set[str]:
    """The messageIds of every record of the topic, from the beginning to the end."""
    from backend.queue.records import unpack

    c = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"reader-{uuid.uuid4().hex[:6]}",
            "enable.partition.eof": True,
            "enable.auto.commit": False,
        }
    )
    c.assign([TopicPartition(topic, p, 0) for p in range(partitions)])
    ids, left = set(), set(range(partitions))
    deadline = time.monotonic() + 60
    while left and time.monotonic() < deadline:
        for m in c.consume(10_000, 0.5):
            if m.error() is not None:
                if m.error().code() == KafkaError._PARTITION_EOF:
                    left.discard(m.partition())
                continue
            ids.update(msg["id"] for msg in unpack(m.value(), m.key()).messages())
    c.close()
    assert not left, f"partitions {left} not read to the end"
    return ids

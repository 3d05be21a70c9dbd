"""Kafka mode end to end on real services: requests to two nodes, retries crossing them,
counted once by the counting group (equal to a single-node spool run, cell for cell) and
stored once by the storing group; a poison record goes to the dead-letter topic."""

from __future__ import annotations

from zlib import crc32

import orjson
from confluent_kafka import Consumer, Producer, TopicPartition
from sqlalchemy import func, select

from backend.counters import counter_store
from backend.ingest import ingestor
from backend.queue.counting import CountingConsumer
from backend.queue.storing import StoringConsumer
from backend.queue.topics import names
from backend.store.models import Event
from tests.queue.conftest import (
    basic,
    lag_of,
    messages,
    new_account,
    node,
    read_counts,
    run_until_caught_up,
)


def send(client, key: str, batch: list[dict], size: int = 100) -> None:
    for i in range(0, len(batch), size):
        r = client.post("/v1/batch", json={"batch": batch[i : i + size]}, headers=basic(key))
        assert r.status_code == 200, r.get_json()


def test_retries_across_nodes_are_counted_and_stored_once(tmp_path, kafka_env, reference):
    a_app, a = node(tmp_path, "a", kafka_env)
    b_app, b = node(tmp_path, "b", kafka_env)
    try:
        acc = new_account(a)
        batch = messages(1500)
        send(a_app.test_client(), acc.write_key, batch)
        # Retries: the first 600 again through node b, 100 again through node a, and a
        # request holding one message twice.
        send(b_app.test_client(), acc.write_key, batch[:600])
        send(a_app.test_client(), acc.write_key, batch[700:800])
        send(b_app.test_client(), acc.write_key, [batch[5], batch[5]])
        # Each request is one record per partition it touches (a message's partition: crc32
        # of account \0 messageId, as librdkafka's default partitioner hashed keyed records).
        requests = [batch[i : i + 100] for i in range(0, 1500, 100)]
        requests += [batch[i : i + 100] for i in range(0, 600, 100)]
        requests += [batch[700:800], [batch[5], batch[5]]]
        packed = sum(
            len({crc32(f"{acc.id}\x00{m['messageId']}".encode()) % 4 for m in r}) for r in requests
        )
        assert packed < 1500 + 600 + 100 + 2
        # /healthz and the console's header show each group's lag (nothing consumed yet).
        queue = a_app.test_client().get("/healthz").get_json()["queue"]
        assert queue["counting"]["lag"] == queue["storing"]["lag"] == packed
        assert queue["counting"]["oldest_seconds"] >= 0
        from components.ingest_status import _behind

        assert _behind(a) == (
            queue["counting"]["oldest_seconds"],
            queue["storing"]["oldest_seconds"],
        )

        counting = CountingConsumer(a.settings, a.db, counter_store(a))
        run_until_caught_up(counting, a.settings, "counting")
        assert read_counts(counter_store(a), acc.id) == reference(batch)

        storing = StoringConsumer(b.settings, b.db, tuple(b.fold_hooks))
        run_until_caught_up(storing, b.settings, "storing")
        assert lag_of(b.settings) == {
            "counting": {"lag": 0, "oldest_seconds": 0.0},
            "storing": {"lag": 0, "oldest_seconds": 0.0},
        }
        with b.db.session() as s:
            stored = s.scalar(select(func.count()).where(Event.account_id == acc.id))
        assert stored == len(batch)
    finally:
        a.close()
        b.close()


def test_a_poison_record_is_quarantined_and_the_partition_goes_on(tmp_path, kafka_env, reference):
    app, rt = node(tmp_path, "a", kafka_env)
    try:
        acc = new_account(rt)
        t = names(rt.settings)
        raw = Producer({"bootstrap.servers": rt.settings.kafka_bootstrap})
        # Into every partition: not JSON, no key, and a message without its fields.
        for p in range(4):
            raw.produce(t.events, b"\xff not json", f"{acc.id}\x00bad-{p}".encode(), partition=p)
            raw.produce(t.events, orjson.dumps({"a": acc.id, "m": {"id": "x"}}), b"k", partition=p)
        raw.produce(t.events, b"{}", None, partition=0)
        # Well-formed, but its time is no number: neither counted nor storable.
        bad_time = {
            "a": acc.id,
            "m": {"id": "t", "e": "Placed Order", "ts": "soon", "ip": None, "p": {}},
        }
        raw.produce(t.events, orjson.dumps(bad_time), f"{acc.id}\x00t".encode(), partition=1)
        assert raw.flush(10) == 0
        batch = messages(300, seed=3)
        send(app.test_client(), acc.write_key, batch)
        # The forms' and flows' path (already-normalised messages) produces too: these
        # are retries of messages sent above, so they count once.
        ingestor(rt).accept(acc.id, batch[:40])

        run_until_caught_up(
            CountingConsumer(rt.settings, rt.db, counter_store(rt)), rt.settings, "counting"
        )
        assert read_counts(counter_store(rt), acc.id) == reference(batch)
        run_until_caught_up(StoringConsumer(rt.settings, rt.db), rt.settings, "storing")
        with rt.db.session() as s:
            assert s.scalar(select(func.count()).where(Event.account_id == acc.id)) == 300

        dead = Consumer(
            {"bootstrap.servers": rt.settings.kafka_bootstrap, "group.id": "dlq-reader"}
        )
        dead.assign([TopicPartition(t.dead_letters, 0, 0)])
        got = dead.consume(100, 10.0)
        dead.close()
        by_group: dict[str, int] = {}
        for m in got:
            group = dict(m.headers())["tally-group"].decode()
            by_group[group] = by_group.get(group, 0) + 1
        # Each group quarantines all 10 (9 unreadable, 1 unstorable) and goes on.
        assert by_group == {t.counting_group: 10, t.storing_group: 10}
    finally:
        rt.close()

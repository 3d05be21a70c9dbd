"""The events topic's records: a request packs into one record per partition, each message on
the partition librdkafka's default partitioner gave its keyed record (so a retry finds its
first copy's partition across the format change), and both formats decode."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import orjson
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic

from backend.ingest.validate import normalise
from backend.queue import records
from backend.queue.producer import pack_request
from backend.queue.state import key_hash
from backend.queue.topics import key_of
from tests.queue.conftest import messages


def spool_form(n: int, seed: int = 1) -> list[dict]:
    now = datetime.now(UTC)
    return [normalise(m, f"m[{i}]", now, None, None) for i, m in enumerate(messages(n, seed))]


def test_the_partition_is_the_one_librdkafka_gave_a_keyed_record(kafka_bootstrap):
    topic = f"probe-{uuid.uuid4().hex[:10]}"
    admin = AdminClient({"bootstrap.servers": kafka_bootstrap})
    admin.create_topics([NewTopic(topic, 7)])[topic].result(30)
    try:
        got: dict[bytes, int] = {}
        producer = Producer({"bootstrap.servers": kafka_bootstrap})
        keys = [key_of("acc_1", f"m-{i}") for i in range(60)]
        for key in keys:
            producer.produce(
                topic, b"x", key, on_delivery=lambda err, m: got.setdefault(m.key(), m.partition())
            )
        assert producer.flush(30) == 0
        assert got == {k: records.partition_of(k, 7) for k in keys}
        assert len(set(got.values())) == 7
    finally:
        admin.delete_topics([topic])


def test_a_request_packs_into_one_record_per_partition_and_decodes():
    msgs = spool_form(200)
    packed = pack_request("acc_1", 1.5, msgs, 4, lambda _a: ["plan"])
    assert sorted(packed) == [0, 1, 2, 3]
    back: dict[str, dict] = {}
    for part, value in packed.items():
        rec = records.unpack(value, b"acc_1")
        assert (rec.account, rec.accepted_at, rec.version) == ("acc_1", 1.5, 1)
        inside = rec.messages()
        for k, m in zip(rec.keys.tolist(), inside, strict=True):
            key = key_of("acc_1", m["id"])
            assert k == key_hash(key)
            assert records.partition_of(key, 4) == part
            back[m["id"]] = m
        # The summary holds every message of the record, by what is counted of it.
        assert rec.summary["d"] == ["plan"]
        assert sum(g[4] for g in rec.summary["g"]) == len(inside)
        revenue = sum(g[5] for g in rec.summary["g"])
        assert abs(revenue - sum(m["p"]["revenue"] for m in inside)) < 1e-6
    assert back == {m["id"]: m for m in msgs}


def test_a_revenue_that_is_no_finite_number_leaves_no_summary():
    msgs = spool_form(3)
    msgs[1]["p"]["revenue"] = float("inf")
    packed = pack_request("acc_1", 1.0, msgs[1:2], 1, lambda _a: [])
    assert records.unpack(packed[0], None).summary is None


def test_a_record_of_the_first_format_still_decodes():
    m = spool_form(1)[0]
    key = key_of("acc_1", m["id"])
    rec = records.unpack(orjson.dumps({"a": "acc_1", "t": 2.0, "m": m}), key)
    assert (rec.account, rec.version, rec.summary) == ("acc_1", 0, None)
    assert rec.keys.tolist() == [key_hash(key)]
    assert rec.messages() == [m]


def test_what_tally_did_not_write_does_not_decode():
    for value, key in [
        (b"\xff not json", b"k"),
        (b"{}", None),
        (b"\x01\xff\xff", b"k"),
        (b"", b"k"),
        (orjson.dumps({"m": {}}), b"k"),
    ]:
        try:
            records.unpack(value, key)
        except ValueError:  # orjson's decode error is a ValueError too
            continue
        raise AssertionError(f"{value!r} decoded")

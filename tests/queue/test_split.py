"""A /v1/batch body split into version-2 records (backend/queue/split.py): each record decodes
to exactly the spool form wire.parse gives the whole body, each message on its key's
partition with its dedup key, and the summaries equal version 1's for the same messages."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import orjson

from backend.ingest import wire
from backend.queue import records
from backend.queue.producer import pack_request
from backend.queue.split import split
from backend.queue.state import key_hash
from backend.queue.topics import key_of
from tests.queue.conftest import messages


def odd_batch() -> dict:
    """Tracked messages plus what a request carries unusually: no messageId (Tally makes
    one from the request id and the message's index), a page, a shared context, sentAt."""
    msgs = messages(60, seed=5)
    for i in (3, 17, 18, 41):
        del msgs[i]["messageId"]
    msgs[7] = {"type": "page", "anonymousId": "a-7", "name": "Home", "messageId": "pg-7"}
    msgs[9] = {"type": "identify", "userId": "u-9", "traits": {"plan": "pro"}}
    msgs[12]["sentAt"] = "2026-03-01T05:00:00Z"
    return {"batch": msgs, "context": {"ip": "8.8.8.8"}, "sentAt": "2026-03-01T03:00:00Z"}


def test_split_records_decode_to_what_parse_gives_the_body():
    body = orjson.dumps(odd_batch())
    now, rid = datetime.now(UTC), uuid.uuid4().hex
    whole = wire.parse(body, "batch", "192.0.2.9", now, rid)
    packed = split("acc_1", body, "192.0.2.9", now, rid, 1.5, 4, ["plan"])
    assert packed is not None and sorted(packed) == [0, 1, 2, 3]
    back: list[dict] = []
    for part, value in packed.items():
        rec = records.unpack(value, b"acc_1")
        assert (rec.account, rec.accepted_at, rec.version) == ("acc_1", 1.5, 2)
        inside = rec.messages()
        for k, m in zip(rec.keys.tolist(), inside, strict=True):
            key = key_of("acc_1", m["id"])
            assert k == key_hash(key)
            assert records.partition_of(key, 4) == part
        # The summary is the one version 1 makes of the same messages.
        v1 = records.unpack(pack_request("acc_1", 1.5, inside, 1, lambda _a: ["plan"])[0], None)
        assert sorted(map(repr, rec.summary["g"])) == sorted(map(repr, v1.summary["g"]))
        back += inside
    assert sorted(back, key=lambda m: m["id"]) == sorted(whole, key=lambda m: m["id"])
    assert sum(m["id"].startswith(f"tally-{rid}-") for m in back) == 5  # 4 + the identify


def test_what_the_fast_path_does_not_decide_is_not_split():
    now = datetime.now(UTC)
    numeric = {"batch": [{"type": "track", "event": "E", "userId": 7, "messageId": "x"}]}
    broken = {"batch": [{"type": "track", "userId": "u"}]}  # a track without an event
    for body in (numeric, broken, {"batch": []}):
        assert split("acc_1", orjson.dumps(body), None, now, "r", 1.0, 4, []) is None
    assert split("acc_1", b"{not json", None, now, "r", 1.0, 4, []) is None


def test_a_record_whose_origin_does_not_match_its_keys_is_refused():
    body = orjson.dumps({"batch": messages(3)})
    value = split("acc_1", body, None, datetime.now(UTC), "r", 1.0, 1, [])[0]
    rec = records.unpack(value, None)
    try:
        rec._replace(origin={**rec.origin, "i": [0]}).messages()
    except ValueError:
        return
    raise AssertionError("a record with fewer indices than keys decoded")

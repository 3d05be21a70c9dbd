"""The events topic's records: what a request worker produces, what both groups read.

Version 1 (packed, since 2026-12-07): one record per (request, partition), holding every
message of the request that hashes to that partition:

    byte 0       0x01, the format version
    bytes 1-4    H, the header's length (unsigned 32-bit little-endian)
    H bytes      header, JSON: {"a": account id, "t": accepted at (epoch s), "n": messages,
                 "c": counting summary or null}; the summary is backend/ingest/summary.py's
                 {"d": dimensions, "g": [[metric, epoch hour, country, [values], n, revenue]]}
                 without its ids (the keys below stand for them)
    8*n bytes    the messages' dedup keys (state.key_hash of account \\0 messageId), int64 LE
    the rest     the n messages in spool form, a JSON array, in the keys' order

Version 2 (since 2026-12-07, for a /v1/batch body the fast path accepts whole): the same
layout, with the messages as sent instead of in spool form: the header also holds "o", the
request's origin {"ip": the client's address, "w": when it was received (ISO), "r": the
request id, "i": each message's index in the request}, and the rest is a /v1/batch body of
the partition's messages (with the request's "context" and "sentAt"). wire.parse of it with
the origin gives the spool form (split.py; an id Tally made, "tally-<rid>-<index>", takes the
message's index in the request). The request worker thus never builds a message dict.

Version 0 (before): one record per message, key `account \\0 messageId`, value JSON
{"a", "t", "m": the message}; a JSON value starts with "{", never 0x01, so both decode.

Why packed: a record per message cost the request workers a produce call, a delivery report
and a lock per message (20.8 us an event, acknowledged 14k/s), and the counting member a
JSON parse, a geolocation and a dimension walk per message (18.8 us). Packed, the request
worker sums what is counted while it has the messages in hand (several workers, in parallel),
and the counting member reads a record's keys and small summary without parsing its messages
unless one of them is a retry it has seen (docs/kafka.md, "Speed").

The partition of a message is crc32(account \\0 messageId) mod the partition count: the hash
librdkafka's default partitioner (consistent_random) gave version 0's keyed records, so a
message and its retries share a partition across the format change too.
"""

from __future__ import annotations

import struct
from datetime import datetime
from math import isfinite
from typing import NamedTuple
from zlib import crc32

import numpy as np
import orjson

from backend.queue.state import key_hash

VERSION = 1
VERSION_RAW = 2
_HEAD = struct.Struct("<BI")


def partition_of(key: bytes, partitions: int) -> int:
    """librdkafka's consistent_random partitioner for a keyed record: crc32 mod count."""
    return crc32(key) % partitions


class Packed(NamedTuple):
    """A record as a consumer reads it. `keys`: the dedup keys (int64 array); `summary`:
    the counting summary or None; messages are decoded only when asked (messages())."""

    account: str
    accepted_at: float
    keys: np.ndarray
    summary: dict | None
    body: bytes  # 1: the JSON array of messages; 2: a batch body; 0: the record's value
    version: int
    origin: dict | None = None  # version 2: the request's ip, time, id and indices

    def messages(self) -> list[dict]:
        if self.version == 0:
            return [orjson.loads(self.body)["m"]]
        if self.version == VERSION_RAW:
            return _parse_raw(self.body, self.origin, len(self.keys))
        msgs = orjson.loads(self.body)
        if not isinstance(msgs, list) or len(msgs) != len(self.keys):
            raise ValueError("a packed record whose messages do not match its keys")
        return msgs


def pack(
    account_id: str, accepted_at: float, keys: list[int], msgs: list[dict], summary: dict | None
) -> bytes:
    head = orjson.dumps({"a": account_id, "t": accepted_at, "n": len(msgs), "c": summary})
    return b"".join(
        (
            _HEAD.pack(VERSION, len(head)),
            head,
            np.asarray(keys, dtype="<i8").tobytes(),
            orjson.dumps(msgs),
        )
    )


def pack_raw(
    account_id: str,
    accepted_at: float,
    keys: list[int],
    body: bytes,
    origin: dict,
    summary: dict | None,
) -> bytes:
    """A version-2 record: `body` is a /v1/batch body of the messages, `origin` as above."""
    head = orjson.dumps(
        {"a": account_id, "t": accepted_at, "n": len(keys), "c": summary, "o": origin}
    )
    return b"".join(
        (_HEAD.pack(VERSION_RAW, len(head)), head, np.asarray(keys, dtype="<i8").tobytes(), body)
    )


def _parse_raw(body: bytes, origin: dict | None, n: int) -> list[dict]:
    from backend.ingest import wire  # the consumers' side only; wire loads msgspec's types

    if not isinstance(origin, dict) or len(origin.get("i") or ()) != n:
        raise ValueError("a packed record whose origin does not match its keys")
    rid, idx = origin["r"], origin["i"]
    msgs = wire.parse(body, "batch", origin["ip"], datetime.fromisoformat(origin["w"]), rid)
    if len(msgs) != n:
        raise ValueError("a packed record whose messages do not match its keys")
    for j, m in enumerate(msgs):  # an id Tally made names the message's index in the request
        if idx[j] != j and m["id"] == f"tally-{rid}-{j}":
            m["id"] = f"tally-{rid}-{idx[j]}"
    return msgs


def count_of(value: bytes) -> int:
    """How many messages a version 1 or 2 record holds (its header's "n")."""
    _v, hlen = _HEAD.unpack_from(value)
    return orjson.loads(value[_HEAD.size : _HEAD.size + hlen])["n"]


def summary_json(dims: list[str], groups: dict) -> dict | None:
    """A record's counting summary from summary.add_one's groups; None if a revenue sum is
    not a finite number (JSON has none: counting then reads the messages)."""
    if not all(isfinite(rev) for _n, rev in groups.values()):
        return None
    return {
        "d": dims,
        "g": [
            [metric, hour, country, values, n, rev]
            for (metric, hour, country, values), (n, rev) in groups.items()
        ],
    }


def unpack(value: bytes | None, key: bytes | None) -> Packed:
    """A record of either version; ValueError (or a JSON error) for one Tally did not make:
    the caller quarantines it to the dead letters."""
    if not value:
        raise ValueError("an empty record")
    if value[0] in (VERSION, VERSION_RAW):
        if len(value) < _HEAD.size:
            raise ValueError("a truncated record")
        _v, hlen = _HEAD.unpack_from(value)
        start = _HEAD.size + hlen
        head = orjson.loads(value[_HEAD.size : start])
        n = head["n"]
        end = start + 8 * n
        if not isinstance(head["a"], str) or not isinstance(n, int) or len(value) < end:
            raise ValueError("a packed record with a broken header")
        keys = np.frombuffer(value, dtype="<i8", count=n, offset=start)
        return Packed(
            head["a"], head["t"], keys, head.get("c"), value[end:], value[0], head.get("o")
        )
    if not key:  # version 0: the key is the dedup key's source
        raise ValueError("a record without a key")
    rec = orjson.loads(value)
    if not isinstance(rec, dict) or not isinstance(rec.get("a"), str) or "m" not in rec:
        raise ValueError("a record without an account or a message")
    keys = np.array([key_hash(key)], dtype=np.int64)
    return Packed(rec["a"], rec.get("t", 0.0), keys, None, value, 0)

"""A /v1/batch body split into version-2 records (records.py) in one pass, without building
a message dict: what the request workers do per event in Kafka mode.

The request worker validates each message as the spool path does (wire's `check`: msgspec
structs, no spool-form dict), routes it by its key, sums what is counted into its
partition's summary, and keeps the message's bytes as sent. The consumers rebuild the spool
form with wire.parse when they need it (storing; counting only for a retry), exactly as the
spool's storing pass reads a body. Measured in one process on this box: 5.5 us an event
where wire.parse + version 1's packing took 5.9-7.3 (docs/kafka.md, "Speed").

Anything the fast path would not decide (a single message, an odd body) answers None: the
caller packs version-1 records from wire.parse, which also names what is wrong.
"""

from __future__ import annotations

from datetime import datetime
from zlib import crc32

import msgspec
import orjson

from backend.ingest import wire
from backend.ingest.summary import add_one
from backend.ingest.validate import MAX_BATCH_MESSAGES, MAX_MESSAGE_BYTES
from backend.queue import records
from backend.queue.state import key_hash


def split(
    account_id: str,
    body: bytes,
    ip: str | None,
    now: datetime,
    rid: str,
    accepted_at: float,
    partitions: int,
    dims: list[str],
) -> dict[int, bytes] | None:
    """{partition: version-2 record} for a /v1/batch body the fast path accepts whole;
    None otherwise (then nothing was decided: use wire.parse)."""
    try:
        data = wire._batch.decode(body)
        raws = data.batch
        if not raws or len(raws) > MAX_BATCH_MESSAGES:
            return None
        try:
            shared_ctx = wire._context.decode(data.context)
        except msgspec.DecodeError:
            return None
        big = len(body) > MAX_MESSAGE_BYTES
        ctx_size = len(data.context) if shared_ctx is not None else 0
        sent_at = data.sentAt
        prefix = f"{account_id}\x00"
        parts: dict[int, tuple[list, list, list, dict]] = {}
        for i, raw in enumerate(raws):
            m = wire._message.decode(raw)
            if big and len(raw) + (ctx_size if m.context is wire.UNSET else 0) > MAX_MESSAGE_BYTES:
                return None
            ts = wire._valid(m, None, shared_ctx, sent_at, now)
            if ts is None:
                return None
            key = (prefix + (m.messageId or f"tally-{rid}-{i}")).encode()
            p = crc32(key) % partitions  # records.partition_of, inline: once a message
            slot = parts.get(p)
            if slot is None:
                slot = parts[p] = ([], [], [], {})
            slot[0].append(key_hash(key))
            slot[1].append(raw)
            slot[2].append(i)
            metric, props = wire._metric(m, wire._type(m, None), m.properties or {})
            ctx = shared_ctx if m.context is wire.UNSET else m.context
            add_one(slot[3], dims, metric, int(ts.timestamp() * 1000), wire._ip(ctx, ip), props)
    except (msgspec.DecodeError, RecursionError, wire._Decline):
        return None
    tail = b'],"context":' + bytes(data.context)
    if sent_at is not None:
        tail += b',"sentAt":' + orjson.dumps(sent_at)
    tail += b"}"
    origin = {"ip": ip, "w": now.isoformat(), "r": rid}
    return {
        p: records.pack_raw(
            account_id,
            accepted_at,
            keys,
            b'{"batch":[' + b",".join(msgs) + tail,
            {**origin, "i": idx},
            records.summary_json(dims, groups),
        )
        for p, (keys, msgs, idx, groups) in parts.items()
    }

"""A counting partition's state: the dedup keys it has counted (for DEDUP_HORIZON_S) and the
flushes committed but not yet known applied. Kept as records in partition p of the
COUNTING_STATE topic, written in the same Kafka transaction as the offsets of partition p of
the events topic, so whoever owns p next rebuilds exactly the state those offsets imply.

A state record: one JSON line, then the batch's new dedup keys as packed little-endian int64:
  {"f": flush id or null, "d": deltas (aggregate.deltas_to_json) or null,
   "applied": [flush ids known in the counter store], "n": how many keys}\\n<8*n bytes>
Its Kafka timestamp is when it was written: keys older than the horizon are forgotten.

Memory: a Python set of int (~60 bytes an id) plus the packed arrays kept for expiry (8 bytes):
about 70 MB per million ids held; on the topic about 8-9 bytes an id (docs/kafka.md)."""

from __future__ import annotations

import time
from collections import deque
from hashlib import blake2b

import numpy as np
import orjson

from backend.queue.topics import DEDUP_HORIZON_S


def key_hash(record_key: bytes) -> int:
    """The 64-bit dedup key of a record key (account \\x00 messageId): the same number as
    backend/store/dedup.dedup_key, so one id means one thing everywhere."""
    return int.from_bytes(blake2b(record_key, digest_size=8).digest(), "little", signed=True)


class PartitionState:
    def __init__(self, horizon_s: float = DEDUP_HORIZON_S):
        self.horizon_s = horizon_s
        self.seen: set[int] = set()
        self._batches: deque[tuple[float, np.ndarray]] = deque()  # (written at, keys), in order
        self.pending: dict[str, list] = {}  # flush id -> deltas JSON: committed, maybe unapplied
        self.applied_unrecorded: list[str] = []  # applied since the last state record

    def __len__(self) -> int:
        return len(self.seen)

    def add(self, keys: list[int], at: float) -> None:
        if keys:
            arr = np.asarray(keys, dtype=np.int64)
            self._batches.append((at, arr))
            self.seen.update(keys)

    def expire(self, now: float | None = None) -> None:
        edge = (now if now is not None else time.time()) - self.horizon_s
        while self._batches and self._batches[0][0] < edge:
            _, arr = self._batches.popleft()
            self.seen.difference_update(arr.tolist())  # a key is in one batch only

    # -- the records --

    @staticmethod
    def encode(flush_id: str | None, deltas: list | None, applied: list[str], keys: list[int]):
        head = orjson.dumps({"f": flush_id, "d": deltas, "applied": applied, "n": len(keys)})
        return head + b"\n" + np.asarray(keys, dtype="<i8").tobytes()

    def replay(self, value: bytes, written_at: float, now: float | None = None) -> None:
        """Apply one state record read back from the topic, oldest first."""
        head, _, packed = value.partition(b"\n")
        h = orjson.loads(head)
        if h.get("f"):
            self.pending[h["f"]] = h["d"]
        for fid in h.get("applied") or ():
            self.pending.pop(fid, None)
        edge = (now if now is not None else time.time()) - self.horizon_s
        if written_at >= edge and h.get("n"):
            arr = np.frombuffer(packed, dtype="<i8").astype(np.int64)
            self._batches.append((written_at, arr))
            self.seen.update(arr.tolist())

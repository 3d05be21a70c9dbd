"""Spool record payloads: what a request leaves on disk before it is acknowledged.

Two kinds, told apart by their first byte:
- a validated /v1 body as received: b"B" + JSON header + b"\\n" + body. The header keeps
  what parsing it again needs to give the same messages (account, kind, client address,
  the request's time and id) and, on SQLite stores, the messages' counting summary ("c":
  backend/ingest/summary.py). Writing the body unchanged keeps re-serialising off the
  acknowledgement path; the aggregator parses it (wire.parse) when it folds.
- already-normalised messages (forms, flows, the demo seeder): the JSON object
  {"t": accepted at (epoch seconds), "a": account, "m": [spool-form messages]}; "t" comes
  first so the backlog can read it without parsing the messages (older records lack it).
"""

from __future__ import annotations

import re
import time
from datetime import datetime

import orjson

from backend.ingest import wire


def of_body(
    account_id: str,
    kind: str,
    body: bytes,
    ip: str | None,
    now: datetime,
    rid: str,
    summary: dict | None = None,
) -> bytes:
    """`summary`: what counting needs of the messages (backend/ingest/summary.py), if the
    caller made one."""
    header = {"a": account_id, "k": kind, "ip": ip, "now": now.isoformat(), "r": rid}
    if summary is not None:
        header["c"] = summary
    return b"B" + orjson.dumps(header) + b"\n" + body


def of_messages(account_id: str, messages: list[dict]) -> bytes:
    return orjson.dumps({"t": round(time.time(), 3), "a": account_id, "m": messages})


_ACCEPTED_AT = re.compile(rb'\{"t":([0-9.]+),')


def accepted_at(payload: bytes) -> float | None:
    """When the record was accepted (epoch seconds), from its header or leading "t"; None
    for a record from before "t" was written."""
    if payload[:1] == b"B":
        head = orjson.loads(payload[1:].partition(b"\n")[0])
        return datetime.fromisoformat(head["now"]).timestamp()
    m = _ACCEPTED_AT.match(payload)
    return float(m.group(1)) if m else None


def summary_of(payload: bytes) -> tuple[str, dict] | None:
    """(account id, the record's counting summary), or None for a record without one (older
    records, normalised messages: decode_counted them)."""
    if payload[:1] != b"B":
        return None
    h = orjson.loads(payload[1:].partition(b"\n")[0])
    summary = h.get("c")
    return (h["a"], summary) if summary is not None else None


def decode_counted(payload: bytes) -> tuple[str, list[dict]]:
    """(account id, messages with at least what is counted: "id", "e", "ts", "ip", "p"), as
    decode gives them; what the counting stage reads. Raises as decode does."""
    if payload[:1] == b"B":
        head, _, body = payload[1:].partition(b"\n")
        h = orjson.loads(head)
        now = datetime.fromisoformat(h["now"])
        view = wire.counted_view(body, h["k"], h["ip"], now, h["r"])
        return h["a"], view if view is not None else wire.parse(body, h["k"], h["ip"], now, h["r"])
    return decode(payload)


def decode(payload: bytes) -> tuple[str, list[dict]]:
    """(account id, spool-form messages). Raises InvalidMessage/TooLarge only if the rules
    changed between acknowledging and folding (the aggregator quarantines the record)."""
    if payload[:1] == b"B":
        head, _, body = payload[1:].partition(b"\n")
        h = orjson.loads(head)
        now = datetime.fromisoformat(h["now"])
        return h["a"], wire.parse(body, h["k"], h["ip"], now, h["r"])
    rec = orjson.loads(payload)
    return rec["a"], rec["m"]

"""Segment message validation and normalisation into the compact spool form.

A spooled message is a dict with short keys, so the aggregator never re-validates:
  t type, id messageId, u userId, a anonymousId, e metric name, p properties, tr traits,
  ts event time (epoch ms, UTC), ip client address or None.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import msgspec
import orjson

from backend.ingest.errors import InvalidMessage, TooLarge

MAX_MESSAGE_BYTES = 32 * 1024
MAX_REQUEST_BYTES = 500 * 1024
MAX_BATCH_MESSAGES = 2500
MAX_ID_LEN = 200
MAX_DEPTH = 32  # properties and traits nest at most this deep (stored and read back as JSON)
MAX_FUTURE = timedelta(days=1)  # clock skew we tolerate; beyond that it is a client bug
OLDEST = datetime(2000, 1, 1, tzinfo=UTC)

TYPES = ("track", "identify", "page", "screen", "alias", "group")
# What each message type counts as. Names starting with "$" are internal (not listed).
_METRIC = {
    "page": "Viewed Page",
    "screen": "Viewed Screen",
    "identify": "$identify",
    "alias": "$alias",
    "group": "$group",
}


def parse_time(value, where: str) -> datetime:
    if value.__class__ is str:
        try:  # the common shapes ("...Z", "+02:00", naive) parse in C: skip the general path
            ts = datetime.fromisoformat(value)
        except ValueError:
            ts = None
        if ts is not None:
            if ts.tzinfo is None:
                return ts.replace(tzinfo=UTC)  # Segment timestamps without zone are UTC
            return ts if ts.tzinfo is UTC else ts.astimezone(UTC)
    if not isinstance(value, str) or not value:
        raise InvalidMessage(where, "must be an ISO 8601 date-time string")
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        ts = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidMessage(where, f"{value!r} is not an ISO 8601 date-time") from None
    if ts.tzinfo is None:
        ts = ts.replace(tzinfo=UTC)  # Segment timestamps without zone are UTC
    return ts.astimezone(UTC)


def _ident(msg: dict, key: str, where: str) -> str | None:
    value = msg.get(key)
    if value.__class__ is str and 0 < len(value) <= MAX_ID_LEN:
        return value  # the common case, checked first: this runs 3 times per message
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise InvalidMessage(f"{where}.{key}", "must be a string")
    text = str(value)
    if len(text) > MAX_ID_LEN:
        raise InvalidMessage(f"{where}.{key}", f"longer than {MAX_ID_LEN} characters")
    return text


def _obj(msg: dict, key: str, where: str) -> dict:
    value = msg.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise InvalidMessage(f"{where}.{key}", "must be a JSON object")
    return value


def nested_ok(value, left: int = MAX_DEPTH) -> bool:
    """True if a JSON value nests no deeper than `left` levels (an object is one level)."""
    if value.__class__ is dict:
        children = value.values()
    elif value.__class__ is list:
        children = value
    else:
        return True
    if left <= 0:
        return False
    return all(
        nested_ok(v, left - 1) for v in children if v.__class__ is dict or v.__class__ is list
    )


def _check_nesting(obj: dict, where: str) -> None:
    if not nested_ok(obj):
        raise InvalidMessage(where, f"nested deeper than {MAX_DEPTH} levels")


class _RawBatch(msgspec.Struct):
    batch: list[msgspec.Raw]
    context: msgspec.Raw = msgspec.Raw(b"null")


_raw_batch = msgspec.json.Decoder(_RawBatch)


def raw_sizes(body: bytes) -> tuple[list[int], int]:
    """Each message's size as sent, and the batch-level context's (it counts in every
    message it fills in). Measured on the bytes received, not re-serialised, so the 32 KB
    limit means the same on both validation paths and costs no re-encoding."""
    try:
        data = _raw_batch.decode(body)
    except (RecursionError, msgspec.DecodeError):  # orjson parsed it, so: too deep
        raise InvalidMessage("body", "nested too deeply") from None
    return [len(r) for r in data.batch], len(data.context)


def normalise(
    msg,
    where: str,
    now: datetime,
    forced_type: str | None,
    ip: str | None,
    check_size: bool = True,
    fallback_id: str | None = None,
    size: int | None = None,
) -> dict:
    """Validate one Segment message; return its spool form. Raises InvalidMessage.

    size: the message's size as received (parse_request measures it); else, with
    check_size, it is measured compact-encoded.
    fallback_id: the messageId of a message without one (deterministic, so folding a
    spooled request twice after a crash gives it the same id); else a random one."""
    if not isinstance(msg, dict):
        raise InvalidMessage(where, "must be a JSON object")
    if size is None and check_size:
        try:
            size = len(orjson.dumps(msg))
        except TypeError:  # over orjson's 254 levels
            raise InvalidMessage(where, f"nested deeper than {MAX_DEPTH} levels") from None
    if size is not None and size > MAX_MESSAGE_BYTES:
        raise TooLarge(where, f"message larger than {MAX_MESSAGE_BYTES // 1024} KB")
    mtype = msg.get("type", forced_type)
    if forced_type and mtype != forced_type:
        raise InvalidMessage(f"{where}.type", f"must be {forced_type!r} on this endpoint")
    if mtype not in TYPES:
        raise InvalidMessage(
            f"{where}.type", f"unknown message type {mtype!r}; use one of {', '.join(TYPES)}"
        )
    user_id = _ident(msg, "userId", where)
    anon_id = _ident(msg, "anonymousId", where)
    if mtype == "alias":
        anon_id = _ident(msg, "previousId", where) or anon_id
    if not user_id and not anon_id:
        raise InvalidMessage(where, "needs a userId or an anonymousId")
    message_id = _ident(msg, "messageId", where) or fallback_id or f"tally-{uuid.uuid4()}"
    props = _obj(msg, "properties", where)
    traits = _obj(msg, "traits", where)
    context = _obj(msg, "context", where)
    if not traits and isinstance(context.get("traits"), dict):
        traits = context["traits"]
    _check_nesting(props, f"{where}.properties")
    _check_nesting(traits, f"{where}.traits")
    if mtype == "track":
        event = msg.get("event")
        if not isinstance(event, str) or not event.strip():
            raise InvalidMessage(f"{where}.event", "a track message needs an event name")
        if len(event) > 200:
            raise InvalidMessage(f"{where}.event", "longer than 200 characters")
        metric = event.strip()
    else:
        metric = _METRIC[mtype]
        if mtype in ("page", "screen") and msg.get("name") and "name" not in props:
            props = {**props, "name": msg["name"]}
    ts = now
    stamp = msg.get("timestamp")
    if stamp is not None:
        ts = parse_time(stamp, where + ".timestamp")
        if msg.get("sentAt") is not None:
            # Segment's clock-skew correction: the client's clock may be off.
            ts = now - (parse_time(msg["sentAt"], where + ".sentAt") - ts)
    if ts > now + MAX_FUTURE:
        raise InvalidMessage(f"{where}.timestamp", "is more than a day in the future")
    if ts < OLDEST:
        raise InvalidMessage(f"{where}.timestamp", "is before the year 2000")
    ctx_ip = context.get("ip")
    if ctx_ip is not None and not isinstance(ctx_ip, str):
        raise InvalidMessage(f"{where}.context.ip", "must be a string")
    return {
        "t": mtype,
        "id": message_id,
        "u": user_id,
        "a": anon_id,
        "e": metric,
        "p": props,
        "tr": traits,
        "ts": int(ts.timestamp() * 1000),
        "ip": (ctx_ip or ip or None),
    }


def parse_request(
    body: bytes, kind: str, ip: str | None, now: datetime | None = None, rid: str | None = None
) -> list[dict]:
    """Validate a whole /v1 request body (kind: track|identify|page|screen|batch).

    rid: the request's id; message i without a messageId gets `tally-<rid>-<i>`."""
    if len(body) > MAX_REQUEST_BYTES:
        raise TooLarge("", f"request larger than {MAX_REQUEST_BYTES // 1024} KB")
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise InvalidMessage("body", f"malformed JSON ({exc.msg} at position {exc.pos})") from None
    if not isinstance(data, dict):
        raise InvalidMessage("body", "must be a JSON object")
    now = now or datetime.now(UTC)
    if kind != "batch":
        return [
            normalise(data, "message", now, kind, ip, False, rid and f"tally-{rid}-0", len(body))
        ]
    batch = data.get("batch")
    if not isinstance(batch, list) or not batch:
        raise InvalidMessage("batch", "must be a non-empty array of messages")
    if len(batch) > MAX_BATCH_MESSAGES:
        raise InvalidMessage("batch", f"more than {MAX_BATCH_MESSAGES} messages")
    # Batch-level context (Segment SDKs put library info there) fills in each message's.
    shared_ctx = data.get("context") if isinstance(data.get("context"), dict) else None
    sent_at = data.get("sentAt")
    # No message of a body under 32 KB can be over 32 KB: measure only bigger bodies.
    sizes, ctx_size = raw_sizes(body) if len(body) > MAX_MESSAGE_BYTES else (None, 0)
    out = []
    for i, msg in enumerate(batch):
        size = sizes[i] if sizes else None
        if isinstance(msg, dict):
            if "context" not in msg and isinstance(data.get("context"), dict):
                size = size and size + ctx_size
            if shared_ctx and "context" not in msg:
                msg = {**msg, "context": shared_ctx}
            if sent_at is not None and "sentAt" not in msg and "timestamp" in msg:
                msg = {**msg, "sentAt": sent_at}  # SDKs stamp sentAt once per batch
        out.append(
            normalise(msg, f"batch[{i}]", now, None, ip, False, rid and f"tally-{rid}-{i}", size)
        )
    return out

"""The fast path of /v1 validation: msgspec decodes and type-checks a body in C.

`fast_parse` accepts only what `validate.parse_request` accepts, and for what it accepts it
returns exactly what parse_request returns (tests/ingest/test_wire.py checks both on
generated bodies). Anything unusual (a numeric userId, a non-UTC-looking timestamp that
fails, a message over the size limit, any error at all) makes it answer None, and the
caller runs parse_request, which accepts the unusual-but-valid and names what is wrong in
the rest. So error messages come from one place and the common body costs ~0.6 µs a
message instead of ~4 µs (bench/ingest.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Literal

import msgspec

from backend.ingest.errors import InvalidMessage
from backend.ingest.validate import (
    _METRIC,
    MAX_BATCH_MESSAGES,
    MAX_DEPTH,
    MAX_FUTURE,
    MAX_ID_LEN,
    MAX_MESSAGE_BYTES,
    OLDEST,
    parse_request,
    parse_time,
)

if TYPE_CHECKING:  # the parser stays free of what summing imports (geolocation, the store)
    from backend.ingest.summary import Summary

UNSET = msgspec.UNSET
_Unset = msgspec.UnsetType

# orjson (parse_request's decoder) reads integers beyond 64 bits as floats; msgspec keeps
# them exact. Bodies with such numbers in what is stored go to parse_request.
_INT_MIN, _INT_MAX = -(2**63), 2**64 - 1


def _storable(d: dict) -> bool:
    """Properties/traits parse_request would read the same and accept: no integer beyond 64
    bits, nesting within MAX_DEPTH. A flat dict of scalars (the usual) is one quick loop."""
    for v in d.values():
        cls = v.__class__
        if cls is dict or cls is list:
            return _walk(d, MAX_DEPTH)
        if cls is int and (v < _INT_MIN or v > _INT_MAX):
            return False
    return True


def _walk(value, left: int) -> bool:
    if left <= 0:
        return False
    for v in value.values() if value.__class__ is dict else value:
        cls = v.__class__
        if cls is dict or cls is list:
            if not _walk(v, left - 1):
                return False
        elif cls is int and (v < _INT_MIN or v > _INT_MAX):
            return False
    return True


class Context(msgspec.Struct):
    ip: str | None = None
    traits: dict | None | _Unset = UNSET


# Longer ids and names are errors (parse_request words them): msgspec checks lengths in C.
_Id = Annotated[str, msgspec.Meta(max_length=MAX_ID_LEN)]


class Message(msgspec.Struct):
    # UNSET tells "absent" from an explicit null, which parse_request treats differently.
    type: Literal["track", "identify", "page", "screen", "alias", "group"] | None | _Unset = UNSET
    messageId: _Id | None = None
    userId: _Id | None = None
    anonymousId: _Id | None = None
    previousId: _Id | None = None
    event: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    name: str | None = None
    properties: dict | None = None
    traits: dict | None = None
    context: Context | None | _Unset = UNSET
    timestamp: str | None | _Unset = UNSET
    sentAt: str | None | _Unset = UNSET


class Batch(msgspec.Struct):
    batch: list[msgspec.Raw]
    # Raw: its size counts in each message it fills in (msgspec takes no Raw | None).
    context: msgspec.Raw = msgspec.Raw(b"null")
    sentAt: str | None = None


_message = msgspec.json.Decoder(Message)
_batch = msgspec.json.Decoder(Batch)
_context = msgspec.json.Decoder(Context | None)


class _Decline(Exception):
    """The fast path will not decide this body: parse_request will."""


def _ident(value: str | None) -> str | None:
    return value or None  # "" is no id; msgspec has checked the length


def _type(m: Message, forced: str | None) -> str | None:
    """The message's type, or None where parse_request would reject it."""
    if m.type is UNSET:
        return forced
    return None if forced and m.type != forced else m.type


def _traits(m: Message, ctx: Context | None) -> dict:
    if m.traits:
        return m.traits
    return ctx.traits if ctx is not None and ctx.traits.__class__ is dict else {}


def _event_time(m: Message, sent_at: str | None, now: datetime) -> datetime | None:
    """When it happened (corrected for the client's clock), or None if not accepted."""
    stamp = m.timestamp
    if stamp is None or stamp is UNSET:
        return now
    try:
        ts = parse_time(stamp, "")
        sent = m.sentAt
        if sent is UNSET:
            sent = sent_at  # SDKs stamp sentAt once per batch
        if sent is not None:
            ts = now - (parse_time(sent, "") - ts)
    except InvalidMessage:
        return None
    return ts if OLDEST <= ts <= now + MAX_FUTURE else None


def _valid(
    m: Message, forced: str | None, shared_ctx: Context | None, sent_at: str | None, now: datetime
) -> datetime | None:
    """_normalise's checks alone (the acknowledgement path builds nothing): the message's
    time if it is accepted, else None."""
    mtype = _type(m, forced)
    if mtype is None:
        return None
    if not (m.userId or m.anonymousId or (mtype == "alias" and m.previousId)):
        return None
    if mtype == "track" and (m.event is None or not m.event.strip()):
        return None
    if m.properties and not _storable(m.properties):
        return None
    if m.traits or m.context is not UNSET or shared_ctx is not None:
        traits = _traits(m, shared_ctx if m.context is UNSET else m.context)
        if traits and not _storable(traits):
            return None
    return _event_time(m, sent_at, now)


def _metric(m: Message, mtype: str, props: dict) -> tuple[str, dict]:
    """(the metric a message counts under, its properties): a page's or screen's name joins
    them. Declines a track without an event name."""
    if mtype == "track":
        metric = (m.event or "").strip()
        if not metric:
            raise _Decline
        return metric, props
    if mtype in ("page", "screen") and m.name and "name" not in props:
        props = {**props, "name": m.name}
    return _METRIC[mtype], props


def _ip(ctx: Context | None, ip: str | None) -> str | None:
    return (ctx.ip if ctx is not None else None) or ip or None


def _normalise(
    m: Message,
    i: int,
    now: datetime,
    forced: str | None,
    ip: str | None,
    shared_ctx: Context | None,
    sent_at: str | None,
    rid: str,
) -> dict:
    mtype = _type(m, forced)
    if mtype is None:
        raise _Decline
    user_id = _ident(m.userId)
    anon_id = _ident(m.anonymousId)
    if mtype == "alias":
        anon_id = _ident(m.previousId) or anon_id
    if not user_id and not anon_id:
        raise _Decline
    ctx = shared_ctx if m.context is UNSET else m.context
    props = m.properties or {}
    traits = _traits(m, ctx)
    if not (_storable(props) and _storable(traits)):
        raise _Decline
    metric, props = _metric(m, mtype, props)
    ts = _event_time(m, sent_at, now)
    if ts is None:
        raise _Decline
    return {
        "t": mtype,
        "id": m.messageId or f"tally-{rid}-{i}",
        "u": user_id,
        "a": anon_id,
        "e": metric,
        "p": props,
        "tr": traits,
        "ts": int(ts.timestamp() * 1000),
        "ip": _ip(ctx, ip),
    }


def fast_parse(
    body: bytes,
    kind: str,
    ip: str | None,
    now: datetime,
    rid: str,
    build: bool = True,
    counted: Summary | None = None,
) -> list[dict] | int | None:
    """The spool form of every message (or, with build=False, just how many there are),
    or None when parse_request must decide. The body is at most MAX_REQUEST_BYTES.
    With build=False, `counted` (a Summary) receives what is counted of each message."""
    try:
        if kind != "batch":
            if len(body) > MAX_MESSAGE_BYTES:
                return None
            m = _message.decode(body)
            if not build:
                ts = _valid(m, kind, None, None, now)
                if ts is not None and counted is not None:
                    _add_counted(counted, m, 0, kind, ip, None, rid, ts)
                return 1 if ts is not None else None
            return [_normalise(m, 0, now, kind, ip, None, None, rid)]
        data = _batch.decode(body)
        raws = data.batch
        if not raws or len(raws) > MAX_BATCH_MESSAGES:
            return None
        try:
            shared_ctx = _context.decode(data.context)
        except msgspec.DecodeError:
            return None  # parse_request ignores a context that is not an object
        # Sizes as parse_request measures them (validate.raw_sizes): the message as sent,
        # plus the batch's context where it fills one in. A body within the limit needs none.
        big = len(body) > MAX_MESSAGE_BYTES
        ctx_size = len(data.context) if shared_ctx is not None else 0
        out = []
        for i, raw in enumerate(raws):
            m = _message.decode(raw)
            if big and len(raw) + (ctx_size if m.context is UNSET else 0) > MAX_MESSAGE_BYTES:
                return None
            if build:
                out.append(_normalise(m, i, now, None, ip, shared_ctx, data.sentAt, rid))
                continue
            ts = _valid(m, None, shared_ctx, data.sentAt, now)
            if ts is None:
                return None
            if counted is not None:
                _add_counted(counted, m, i, None, ip, shared_ctx, rid, ts)
        return out if build else len(raws)
    except (msgspec.DecodeError, RecursionError, _Decline):
        return None


# -- what counting reads: the counting stage (backend/ingest/counting.py) parses every record
# before the store parses it again, and needs five fields of each message, not the whole.


class _CountedContext(msgspec.Struct):
    ip: str | None = None


class _Counted(msgspec.Struct):
    type: Literal["track", "identify", "page", "screen", "alias", "group"] | None | _Unset = UNSET
    messageId: _Id | None = None
    event: Annotated[str, msgspec.Meta(max_length=200)] | None = None
    name: str | None = None
    properties: dict | None = None
    context: _CountedContext | None | _Unset = UNSET
    timestamp: str | None | _Unset = UNSET
    sentAt: str | None | _Unset = UNSET


class _CountedBatch(msgspec.Struct):
    batch: list[_Counted]
    context: _CountedContext | None = None
    sentAt: str | None = None


_counted = msgspec.json.Decoder(_Counted)
_counted_batch = msgspec.json.Decoder(_CountedBatch)


def counted_view(
    body: bytes, kind: str, ip: str | None, now: datetime, rid: str
) -> list[dict] | None:
    """Of each message of a body `check` accepted, what is counted: {"id", "e", "ts", "ip",
    "p"}, as `parse` gives them; or None when unsure (then use `parse`). It skips what
    counting does not read (identities, traits) and the size checks the body passed when it
    was accepted: 2x-3x faster than `parse` (bench/fold_floor.py)."""
    try:
        if kind != "batch":
            return [_counted_one(_counted.decode(body), 0, now, kind, ip, None, None, rid)]
        data = _counted_batch.decode(body)
        return [
            _counted_one(m, i, now, None, ip, data.context, data.sentAt, rid)
            for i, m in enumerate(data.batch)
        ]
    except (msgspec.DecodeError, RecursionError, _Decline):
        return None


def _counted_one(
    m: _Counted,
    i: int,
    now: datetime,
    forced: str | None,
    ip: str | None,
    shared_ctx: _CountedContext | None,
    sent_at: str | None,
    rid: str,
) -> dict:
    mtype = _type(m, forced)
    if mtype is None:
        raise _Decline
    props = m.properties or {}
    if not _storable(props):
        raise _Decline
    metric, props = _metric(m, mtype, props)
    ts = _event_time(m, sent_at, now)
    if ts is None:
        raise _Decline
    return {
        "id": m.messageId or f"tally-{rid}-{i}",
        "e": metric,
        "p": props,
        "ts": int(ts.timestamp() * 1000),
        "ip": _ip(shared_ctx if m.context is UNSET else m.context, ip),
    }


def _add_counted(
    summary: Summary,
    m: Message,
    i: int,
    forced: str | None,
    ip: str | None,
    shared_ctx: Context | None,
    rid: str,
    ts: datetime,
) -> None:
    """Add what is counted of a message `_valid` accepted (at `ts`) to `summary`: what
    _counted_one gives, without a dict a message."""
    metric, props = _metric(m, _type(m, forced), m.properties or {})
    summary.add(
        m.messageId or f"tally-{rid}-{i}",
        metric,
        int(ts.timestamp() * 1000),
        _ip(shared_ctx if m.context is UNSET else m.context, ip),
        props,
    )


def check(
    body: bytes, kind: str, ip: str | None, now: datetime, rid: str, counted: Summary | None = None
) -> int:
    """Validate a whole /v1 body; returns how many messages it holds. Raises InvalidMessage
    or TooLarge naming what is wrong (from parse_request). `counted` (an empty Summary), if
    given, receives what is counted of each message, as `parse` has it."""
    n = fast_parse(body, kind, ip, now, rid, build=False, counted=counted)
    if n is not None:
        return n
    if counted is not None:
        counted.clear()  # what the fast path took before it declined
    msgs = parse_request(body, kind, ip, now, rid)
    if counted is not None:
        for m in msgs:
            counted.add(m["id"], m["e"], m["ts"], m["ip"], m["p"])
    return len(msgs)


def parse(body: bytes, kind: str, ip: str | None, now: datetime, rid: str) -> list[dict]:
    """The spool form of every message of a body `check` accepted with the same arguments."""
    out = fast_parse(body, kind, ip, now, rid)
    return out if out is not None else parse_request(body, kind, ip, now, rid)

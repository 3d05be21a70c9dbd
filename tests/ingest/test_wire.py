"""The msgspec fast path agrees with parse_request on every body it decides, declines the
rest, and decides the common SDK shapes itself (else it would be no faster)."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec
import orjson
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from backend.ingest import records, wire
from backend.ingest.errors import InvalidMessage, TooLarge
from backend.ingest.summary import Summary, summarise
from backend.ingest.validate import MAX_MESSAGE_BYTES, parse_request

NOW = datetime(2026, 11, 1, 12, 0, 30, 123456, tzinfo=UTC)
RID = "0123456789abcdef0123456789abcdef"

absent = st.just("<absent>")
ids = st.one_of(
    absent,
    st.none(),
    st.text(max_size=8),
    st.just(""),
    st.just("x" * 201),
    st.integers(-5, 5),
    st.booleans(),
)
stamps = st.one_of(
    absent,
    st.none(),
    st.just("2026-10-31T23:30:00Z"),
    st.just("2026-10-31T23:30:00.123Z"),
    st.just("2026-10-31T23:30:00+02:00"),
    st.just("2026-10-31 23:30:00"),
    st.just("2026-10-31"),
    st.just("2026-11-03T00:00:00Z"),
    st.just("1999-12-31T23:59:59Z"),
    st.just("yesterday"),
    st.just(""),
    st.integers(0, 10),
    st.datetimes(min_value=datetime(1998, 1, 1), max_value=datetime(2027, 1, 1)).map(
        lambda d: d.isoformat() + "Z"
    ),
)
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-10, 10),
    st.text(max_size=5),
    st.floats(allow_nan=False, allow_infinity=False),
)
objects = st.one_of(
    absent,
    st.none(),
    scalars,
    st.dictionaries(st.sampled_from(["revenue", "name", "email", "sku"]), scalars, max_size=3),
)
contexts = st.one_of(
    absent,
    st.none(),
    st.text(max_size=3),
    st.fixed_dictionaries(
        {},
        optional={
            "ip": st.one_of(st.none(), st.just("81.2.69.142"), st.just(""), st.integers(0, 3)),
            "traits": objects,
            "library": st.just({"name": "x"}),
        },
    ),
)
messages = st.fixed_dictionaries(
    {},
    optional={
        "type": st.one_of(
            st.none(),
            st.sampled_from(
                ["track", "identify", "page", "screen", "alias", "group", "bogus", "Track"]
            ),
        ),
        "messageId": ids,
        "userId": ids,
        "anonymousId": ids,
        "previousId": ids,
        "event": st.one_of(
            st.none(),
            st.text(max_size=4),
            st.just("  "),
            st.just("E" * 201),
            st.just(" Placed Order "),
            st.integers(0, 2),
        ),
        "name": st.one_of(st.none(), st.text(max_size=4), st.integers(0, 2)),
        "properties": objects,
        "traits": objects,
        "context": contexts,
        "timestamp": stamps,
        "sentAt": stamps,
    },
).map(lambda d: {k: v for k, v in d.items() if v != "<absent>"})
# Mostly-valid messages, so agreement is checked on accepted bodies too, not only on errors.
good_ids = st.one_of(st.text(min_size=1, max_size=6), st.just("x" * 200))
good_stamps = st.one_of(
    absent,
    st.none(),
    st.sampled_from(
        [
            "2026-10-31T23:30:00Z",
            "2026-10-31T23:30:00.123Z",
            "2026-11-01T11:59:59.999999Z",
            "2026-10-31T23:30:00+02:00",
            "2026-10-31T23:30:00.5-05:30",
            "2026-10-31 23:30:00",
            "2026-10-31",
            "2026-11-02T11:00:00Z",
        ]
    ),
)
big_ints = st.sampled_from([2**63 - 1, -(2**63), 2**64 - 1, 2**64, -(2**63) - 1, 10**30])
nested = st.recursive(
    st.one_of(scalars, big_ints),
    lambda inner: st.one_of(
        st.lists(inner, max_size=2), st.dictionaries(st.sampled_from(["a", "b"]), inner, max_size=2)
    ),
    max_leaves=6,
)
good_objects = st.one_of(
    absent,
    st.none(),
    st.dictionaries(st.sampled_from(["revenue", "name", "email", "sku"]), scalars, max_size=3),
    st.dictionaries(st.sampled_from(["products", "n"]), nested, max_size=2),
)
good_contexts = st.one_of(
    absent,
    st.none(),
    st.fixed_dictionaries(
        {},
        optional={
            "ip": st.one_of(st.none(), st.just("81.2.69.142"), st.just("")),
            "traits": good_objects,
        },
    ),
)
likely = st.fixed_dictionaries(
    {
        "type": st.sampled_from(["track", "identify", "page", "screen", "alias", "group"]),
        "userId": st.one_of(good_ids, st.none(), st.just("")),
        "anonymousId": good_ids,
        "event": st.one_of(st.text(min_size=1, max_size=5), st.just(" Placed Order ")),
    },
    optional={
        "messageId": st.one_of(good_ids, st.none(), st.just("")),
        "previousId": st.one_of(good_ids, st.none()),
        "name": st.one_of(st.none(), st.text(max_size=4)),
        "properties": good_objects,
        "traits": good_objects,
        "context": good_contexts,
        "timestamp": good_stamps,
        "sentAt": good_stamps,
    },
).map(lambda d: {k: v for k, v in d.items() if v != "<absent>"})
messages = st.one_of(likely, likely, likely, messages)
bodies = st.one_of(
    st.tuples(
        st.just("batch"),
        st.fixed_dictionaries(
            {"batch": st.lists(likely, min_size=1, max_size=4)},
            optional={"context": good_contexts, "sentAt": good_stamps},
        ).map(lambda d: {k: v for k, v in d.items() if v != "<absent>"}),
    ),
    st.tuples(st.sampled_from(["track", "identify", "page", "screen"]), messages),
    st.tuples(
        st.just("batch"),
        st.fixed_dictionaries(
            {
                "batch": st.one_of(
                    st.lists(st.one_of(likely, likely, messages, scalars), max_size=4),
                    st.just([]),
                    scalars,
                )
            },
            optional={"context": contexts, "sentAt": stamps},
        ).map(lambda d: {k: v for k, v in d.items() if v != "<absent>"}),
    ),
)


def slow(body: bytes, kind: str):
    try:
        return parse_request(body, kind, "10.0.0.1", NOW, RID)
    except (InvalidMessage, TooLarge) as exc:
        return type(exc)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bodies)
def test_fast_path_agrees_with_parse_request(case):
    kind, obj = case
    body = msgspec.json.encode(obj)  # orjson cannot write integers beyond 64 bits
    expected = slow(body, kind)
    fast = wire.fast_parse(body, kind, "10.0.0.1", NOW, RID)
    if fast is not None:
        assert fast == expected
        assert wire.fast_parse(body, kind, "10.0.0.1", NOW, RID, build=False) == len(fast)
    if isinstance(expected, type):  # rejected: check() raises the same error
        with pytest.raises(expected):
            wire.check(body, kind, "10.0.0.1", NOW, RID)
    else:
        assert wire.check(body, kind, "10.0.0.1", NOW, RID) == len(expected)
        assert wire.parse(body, kind, "10.0.0.1", NOW, RID) == expected


SDK_BATCH = {
    "batch": [
        {
            "type": "track",
            "event": "Placed Order",
            "userId": "u1",
            "messageId": "m1",
            "properties": {"revenue": 20},
            "timestamp": "2026-10-31T23:30:00.123+00:00",
            "context": {"library": {"name": "analytics-python"}, "ip": "81.2.69.142"},
        },
        {
            "type": "identify",
            "anonymousId": "a1",
            "traits": {"email": "a@b.example"},
            "timestamp": "2026-10-31T23:31:00Z",
        },
        {"type": "page", "anonymousId": "a1", "name": "Home"},
    ],
    "sentAt": "2026-11-01T12:00:30Z",
    "context": {"ip": "8.8.8.8"},
}


def test_common_sdk_shapes_take_the_fast_path():
    body = orjson.dumps(SDK_BATCH)
    fast = wire.fast_parse(body, "batch", None, NOW, RID)
    assert fast is not None and fast == parse_request(body, "batch", None, NOW, RID)
    assert [m["id"] for m in fast] == ["m1", f"tally-{RID}-1", f"tally-{RID}-2"]
    assert fast[1]["ip"] == "8.8.8.8" and fast[0]["ip"] == "81.2.69.142"
    assert fast[2]["p"] == {"name": "Home"}
    single = orjson.dumps({"event": "E", "userId": "u"})
    assert wire.fast_parse(single, "track", None, NOW, RID) is not None


def test_big_messages_are_measured_like_parse_request():
    # A batch over the safe size with one message over 32 KB once re-serialised: 413.
    huge = {
        "type": "track",
        "userId": "u",
        "event": "E",
        "properties": {"blob": "x" * (MAX_MESSAGE_BYTES + 10)},
    }
    body = orjson.dumps({"batch": [huge]})
    assert wire.fast_parse(body, "batch", None, NOW, RID) is None
    with pytest.raises(TooLarge):
        wire.check(body, "batch", None, NOW, RID)
    # A batch-level context fills in each message: its size counts too.
    ctx = {"ip": "8.8.8.8", "pad": "y" * (MAX_MESSAGE_BYTES - 100)}
    small = {"type": "track", "userId": "u", "event": "E", "properties": {"p": "z" * 200}}
    body = orjson.dumps({"batch": [small], "context": ctx})
    with pytest.raises(TooLarge):
        wire.check(body, "batch", None, NOW, RID)


def test_a_spooled_body_decodes_to_the_same_messages_every_time():
    body = orjson.dumps(SDK_BATCH)
    payload = records.of_body("acc_1", "batch", body, "10.0.0.1", NOW, RID)
    first, second = records.decode(payload), records.decode(payload)
    assert first == second == ("acc_1", parse_request(body, "batch", "10.0.0.1", NOW, RID))


def deep(levels: int):
    value = 1
    for _ in range(levels):
        value = {"x": value}
    return value


@pytest.mark.parametrize("where", ["properties", "traits"])
def test_too_deep_properties_are_rejected_by_name(where):
    msg = {"type": "identify", "userId": "u", where: deep(33)}
    for body in (orjson.dumps(msg), orjson.dumps({"batch": [msg]})):
        kind = "identify" if body.startswith(b'{"type"') else "batch"
        assert wire.fast_parse(body, kind, None, NOW, RID) is None
        with pytest.raises(InvalidMessage, match=f"{where}.*nested deeper than 32 levels"):
            wire.check(body, kind, None, NOW, RID)
    ok = {"type": "identify", "userId": "u", where: deep(32)}
    assert wire.check(orjson.dumps(ok), "identify", None, NOW, RID) == 1


def test_absurd_nesting_anywhere_is_an_error_never_a_crash():
    # A body over 32 KB (so sizes are measured) with a message nested deep where nothing is
    # stored: accepted while the decoders cope, else a 400; never an exception.
    pad = {"type": "track", "userId": "u", "event": "E", "properties": {"p": "z" * 20_000}}
    accepted = []
    for levels in (300, 1010, 5000):
        junk = (
            '{"type":"track","userId":"u","event":"E","context":{"deep":'
            + "[" * levels
            + "]" * levels
            + "}}"
        )
        body = b'{"batch":[' + junk.encode() + b"," + orjson.dumps(pad)[:-1] + b"}]}"
        try:
            n = wire.check(body, "batch", None, NOW, RID)
        except InvalidMessage:
            continue
        assert wire.parse(body, "batch", None, NOW, RID)[0]["e"] == "E" and n == 2
        accepted.append(levels)
    assert accepted[:1] == [300]


def test_integers_beyond_64_bits_are_read_as_parse_request_reads_them():
    body = orjson.dumps({"type": "track", "userId": "u", "event": "E"})[:-1] + (
        b',"properties":{"n":123456789012345678901234567890}}'
    )
    assert wire.fast_parse(body, "track", None, NOW, RID) is None
    [m] = wire.parse(body, "track", None, NOW, RID)
    assert m["p"]["n"] == pytest.approx(1.2345678901234568e29) and orjson.dumps(m)


COUNTED = ("id", "e", "ts", "ip", "p")


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bodies)
def test_what_counting_reads_agrees_with_parse_request(case):
    """The counting stage's view of an accepted body: the counted fields of each message
    as parse_request gives them, or None (then it parses the whole); and its summary."""
    kind, obj = case
    body = msgspec.json.encode(obj)
    expected = slow(body, kind)
    assume(not isinstance(expected, type))  # a refused body is never spooled: nothing counts it
    view = wire.counted_view(body, kind, "10.0.0.1", NOW, RID)
    if view is not None:
        assert view == [{k: m[k] for k in COUNTED} for m in expected]
    payload = records.of_body("acc_1", kind, body, "10.0.0.1", NOW, RID)
    account, msgs = records.decode_counted(payload)
    assert account == "acc_1"
    assert [{k: m[k] for k in COUNTED} for m in msgs] == [
        {k: m[k] for k in COUNTED} for m in expected
    ]
    # The summary a request worker makes while it validates (SQLite stores) sums exactly
    # what the stored messages hold.
    summary = Summary(DIMS)
    assert wire.check(body, kind, "10.0.0.1", NOW, RID, summary) == len(expected)
    assert summary.to_json() == summarise(DIMS, expected)


DIMS = ["sku", "name", "n", "products"]


def test_common_sdk_shapes_are_counted_without_the_whole_parse():
    body = orjson.dumps(SDK_BATCH)
    view = wire.counted_view(body, "batch", None, NOW, RID)
    assert view == [
        {k: m[k] for k in COUNTED} for m in parse_request(body, "batch", None, NOW, RID)
    ]

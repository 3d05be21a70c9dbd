"""Message validation: every rejection names what is wrong."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
import pytest

from backend.ingest.errors import InvalidMessage, TooLarge
from backend.ingest.validate import normalise, parse_request

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def ok(msg, kind=None):
    return normalise(msg, "m", NOW, kind, "81.2.69.142")


def test_track_is_normalised():
    m = ok(
        {
            "type": "track",
            "userId": 42,
            "event": "Placed Order",
            "properties": {"revenue": 9},
            "timestamp": "2026-10-31T23:30:00Z",
            "messageId": "abc",
        }
    )
    assert m["u"] == "42" and m["e"] == "Placed Order" and m["id"] == "abc"
    assert m["ts"] == int(datetime(2026, 10, 31, 23, 30, tzinfo=UTC).timestamp() * 1000)
    assert m["ip"] == "81.2.69.142"


def test_context_ip_wins_over_request_address():
    m = ok({"type": "page", "anonymousId": "a", "context": {"ip": "8.8.8.8"}, "name": "Home"})
    assert m["ip"] == "8.8.8.8" and m["e"] == "Viewed Page" and m["p"]["name"] == "Home"


def test_missing_message_id_gets_one():
    assert ok({"type": "identify", "userId": "u"})["id"].startswith("tally-")


def test_sent_at_corrects_client_clock_skew():
    # The client's clock is 1 h ahead: event 10 min before sending -> 10 min before now.
    m = ok(
        {
            "type": "track",
            "userId": "u",
            "event": "E",
            "timestamp": "2026-11-01T12:50:00Z",
            "sentAt": "2026-11-01T13:00:00Z",
        }
    )
    assert m["ts"] == int(datetime(2026, 11, 1, 11, 50, tzinfo=UTC).timestamp() * 1000)


@pytest.mark.parametrize(
    "msg, where",
    [
        ({"type": "track", "userId": "u"}, "m.event"),
        ({"type": "track", "event": "E"}, "needs a userId or an anonymousId"),
        ({"type": "nope", "userId": "u"}, "m.type"),
        ({"type": "track", "userId": "u", "event": "E", "timestamp": "yesterday"}, "m.timestamp"),
        (
            {"type": "track", "userId": "u", "event": "E", "timestamp": "2030-01-01T00:00:00Z"},
            "future",
        ),
        ({"type": "track", "userId": "u", "event": "E", "properties": [1]}, "m.properties"),
        ({"type": "track", "userId": {"x": 1}, "event": "E"}, "m.userId"),
        ({"type": "track", "userId": "u", "event": "E", "context": {"ip": 5}}, "m.context.ip"),
        ("not an object", "must be a JSON object"),
    ],
)
def test_rejections_name_the_problem(msg, where):
    with pytest.raises(InvalidMessage) as err:
        ok(msg)
    assert where in str(err.value)


def test_endpoint_type_must_match():
    with pytest.raises(InvalidMessage, match="must be 'identify'"):
        ok({"type": "track", "userId": "u", "event": "E"}, "identify")


def test_message_over_32kb_is_too_large():
    with pytest.raises(TooLarge):
        ok({"type": "track", "userId": "u", "event": "E", "properties": {"x": "y" * 33000}})


def test_request_over_500kb_is_too_large():
    body = orjson.dumps(
        {
            "batch": [
                {"type": "track", "userId": "u", "event": "E", "properties": {"x": "y" * 30000}}
            ]
            * 20
        }
    )
    with pytest.raises(TooLarge):
        parse_request(body, "batch", None)


def test_batch_error_names_the_index():
    body = orjson.dumps(
        {"batch": [{"type": "track", "userId": "u", "event": "E"}, {"type": "track"}]}
    )
    with pytest.raises(InvalidMessage, match=r"batch\[1\]"):
        parse_request(body, "batch", None)


@pytest.mark.parametrize("body", [b"", b"{", b"[]", b'{"batch": []}', b'{"batch": {}}', b"\xff"])
def test_malformed_bodies(body):
    with pytest.raises(InvalidMessage):
        parse_request(body, "batch", None)

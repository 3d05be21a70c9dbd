"""Fuzz /v1: any body, any shape -> 200, 400 or 413 with a JSON error; never a 500."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import make_settings
from tests.ingest.conftest import basic


def dumps(value) -> bytes:
    return json.dumps(value).encode()


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5)
    ),
    max_leaves=20,
)
KEYS = [
    "type",
    "userId",
    "anonymousId",
    "event",
    "messageId",
    "timestamp",
    "sentAt",
    "properties",
    "traits",
    "context",
    "name",
    "previousId",
]
messages = st.dictionaries(st.sampled_from(KEYS), json_values, max_size=8) | st.fixed_dictionaries(
    {
        "type": st.sampled_from(["track", "identify", "page", "screen", "alias", "group", "x"]),
        "userId": st.text(max_size=20) | st.integers(),
        "event": st.text(max_size=20),
        "timestamp": st.text(max_size=30) | st.datetimes().map(lambda d: d.isoformat()),
        "properties": st.dictionaries(st.text(max_size=10), json_values, max_size=4),
        "context": st.fixed_dictionaries({"ip": st.ip_addresses().map(str) | st.text(max_size=20)}),
    }
)
bodies = (
    st.binary(max_size=200)
    | messages.map(dumps)
    | st.lists(messages, max_size=5).map(lambda b: dumps({"batch": b}))
    | json_values.map(dumps)
)


@pytest.fixture(scope="module")
def fuzz_client(tmp_path_factory):
    from app import create_app
    from backend.accounts.service import create_account

    tmp = tmp_path_factory.mktemp("fuzz")
    app = create_app(make_settings(tmp, f"sqlite:///{tmp / 'f.sqlite3'}"), ui=False)
    with app.extensions["tally"].db.session() as s:
        acc = create_account(s, "Fuzz")
    yield app.test_client(), basic(acc.write_key)
    app.extensions["tally"].close()


@settings(
    max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    endpoint=st.sampled_from(["track", "identify", "page", "screen", "batch", "import"]),
    body=bodies,
)
def test_v1_never_fails_with_500(fuzz_client, endpoint, body):
    client, auth = fuzz_client
    r = client.post(
        f"/v1/{endpoint}", data=body, headers={**auth, "Content-Type": "application/json"}
    )
    assert r.status_code in (200, 400, 413), (r.status_code, r.data[:300])
    payload = r.get_json()
    assert isinstance(payload, dict)
    assert payload.get("success") is (r.status_code == 200)
    if r.status_code != 200:
        assert isinstance(payload["error"], str) and payload["error"]

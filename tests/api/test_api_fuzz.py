"""Fuzz every /api route (found in app.url_map): any body, query and id -> never a 500, every
error is JSON, and a refused request changes nothing in the store.

The account has a real dashboard, flow, form, profile and metric, and bodies are either any
JSON or a real definition with one value somewhere inside it replaced or removed, so examples
get past the lookups and the first checks into the deep validation.
"""

from __future__ import annotations

import hashlib
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import inspect, text
from test_dashboards_api import BODY
from test_isolation import routes
from werkzeug.routing import IntegerConverter, PathConverter

from backend.forms.starters import template
from tests.conftest import make_settings

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
QUERY_KEYS = [
    "start",
    "end",
    "range",
    "interval",
    "tz",
    "by",
    "top",
    "measure",
    "format",
    "country",
    "inline",
    "offset",
    "limit",
    "q",
    "email",
]
queries = st.dictionaries(
    st.sampled_from(QUERY_KEYS),
    st.text(max_size=12)
    | st.sampled_from(
        [
            "2026-11-01",
            "2026-02-30",
            "day",
            "week",
            "month",
            "hour",
            "UTC",
            "Europe/Paris",
            "country",
            "utm_campaign",
            "revenue",
            "png",
            "pdf",
            "csv",
            "html",
            "1",
            "0",
            "-1",
            "99999999999999999999",
            "last_7_days",
            "a@b.test",
        ]
    ),
    max_size=4,
)
# Definitions with every kind of part, for mutated() to break one part of at a time.
DASHBOARD = {
    **BODY,
    "cards": [*BODY["cards"], {"metric": "Placed Order", "chart": "line", "interval": "week"}],
}
FLOW = {
    "name": "Every node",
    "trigger": {
        "type": "metric",
        "metric": "Placed Order",
        "where": [{"field": "event.revenue", "op": "gt", "value": 5}],
    },
    "filters": [{"metric": "Placed Order", "op": "gte", "count": 1, "days": 30}],
    "start": "thanks",
    "nodes": [
        {
            "id": "thanks",
            "type": "email",
            "subject": "Thanks {{ first_name }}",
            "body": "Order of ${{ event.revenue }}",
            "next": "wait",
        },
        {"id": "wait", "type": "delay", "minutes": 60, "next": "big"},
        {
            "id": "big",
            "type": "split",
            "yes": "ab",
            "no": "hook",
            "where": [{"field": "country", "op": "in", "value": ["US", "GB"]}],
        },
        {"id": "ab", "type": "ab_split", "percent": 50, "a": "tag", "b": None},
        {"id": "tag", "type": "update_profile", "traits": {"vip": True}, "next": "list"},
        {"id": "list", "type": "add_to_list", "list": "VIP", "next": None},
        {"id": "hook", "type": "webhook", "url": "https://example.test/hook", "next": None},
    ],
}
# Writes by id that would take the test's own key away; fuzzed with made-up ids only.
MADE_UP_IDS_ONLY = ("/api/keys/",)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from app import create_app
    from backend.accounts.service import create_account
    from backend.ingest import ingestor

    tmp = tmp_path_factory.mktemp("api-fuzz")
    app = create_app(make_settings(tmp, f"sqlite:///{tmp / 'f.sqlite3'}"), ui=False)
    runtime = app.extensions["tally"]
    with runtime.db.session() as s:
        acc = create_account(s, "Fuzz", email="fuzz@shop.test")
    client = app.test_client()
    auth = {"Authorization": f"Bearer {acc.private_key}"}
    sent = client.post(
        "/v1/track",
        auth=(acc.write_key, ""),
        json={
            "userId": "u1",
            "event": "Placed Order",
            "properties": {"revenue": 12},
            "context": {"traits": {"email": "u1@shop.test"}},
        },
    )
    assert sent.status_code == 200
    ingestor(runtime).drain()
    ids = {}
    for kind, body in (
        ("dashboards", DASHBOARD),
        ("flows", FLOW),
        ("forms", template("newsletter_popup")),
    ):
        made = client.post(f"/api/{kind}", json=body, headers=auth)
        assert made.status_code == 201, made.get_data(as_text=True)
        ids[kind[:-1] + "_id"] = made.get_json()["id"]
    live = client.post("/api/forms", json=template("newsletter_popup"), headers=auth)
    ids["live_form_id"] = live.get_json()["id"]
    assert client.post(f"/api/forms/{ids['live_form_id']}/publish", headers=auth).status_code == 200
    ids["public_key"] = acc.public_key
    ids["profile_id"] = client.get("/api/profiles", headers=auth).get_json()["profiles"][0]["id"]
    ids["name"] = "Placed Order"
    docs = [
        client.get(f"/api/{kind}/{ids[kind[:-1] + '_id']}", headers=auth).get_json()
        for kind in ("dashboards", "flows", "forms")
    ]
    docs.append({"dimensions": ["utm_campaign", "sku"]})
    yield app, client, auth, ids, docs
    runtime.close()


# Storefront attempts are recorded even when refused, on purpose: they feed the abuse limit.
NOT_STATE = {"form_attempts"}


def store_digest(app) -> str:
    """Every row of every table: equal digests before and after = nothing changed."""
    h = hashlib.sha256()
    with app.extensions["tally"].db.engine.connect() as conn:
        for table in sorted(set(inspect(conn).get_table_names()) - NOT_STATE):
            for row in conn.execute(text(f'SELECT * FROM "{table}" ORDER BY 1')):
                h.update(repr(tuple(row)).encode())
    return h.hexdigest()


def paths_in(doc, at=()):
    """Every path to a value inside a JSON document."""
    yield at
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from paths_in(v, (*at, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from paths_in(v, (*at, i))


def replaced(doc, path, value, remove: bool):
    doc = json.loads(json.dumps(doc))
    if not path:
        return value
    parent = doc
    for step in path[:-1]:
        parent = parent[step]
    if remove:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return doc


def drawn_path(data, rule, real: dict) -> str:
    """A path of `rule`: each placeholder a real id from `real` (by name) half the time, else
    any value its converter takes (integers up to 2**63, past what the store holds)."""
    values = {}
    for name, conv in rule._converters.items():
        if real.get(name) is not None and data.draw(st.booleans(), label=f"real {name}"):
            values[name] = real[name]
        elif isinstance(conv, IntegerConverter):
            values[name] = data.draw(st.integers(0, 2**63), label=name)
        elif isinstance(conv, PathConverter):
            values[name] = data.draw(
                st.text(min_size=1, max_size=20).filter(lambda t: t.strip("/") and "\x00" not in t),
                label=name,
            )
        else:
            values[name] = data.draw(
                st.text(min_size=1, max_size=40).filter(lambda t: "/" not in t and "\x00" not in t),
                label=name,
            )
    return rule.build(values, append_unknown=False)[1]


@st.composite
def mutated(draw, docs):
    doc = draw(st.sampled_from(docs))
    path = draw(st.sampled_from(list(paths_in(doc))))
    return replaced(doc, path, draw(json_values), remove=bool(path) and draw(st.booleans()))


@settings(
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_api_route_answers_500_and_a_refusal_changes_nothing(world, data):
    app, client, auth, ids, docs = world
    route, rule = data.draw(st.sampled_from(sorted(routes(app).items())), label="route")
    method = route.split(" ", 1)[0]
    real = {} if rule.rule.startswith(MADE_UP_IDS_ONLY) or method == "DELETE" else ids
    path = drawn_path(data, rule, real)
    query = data.draw(queries, label="query")
    kwargs = {}
    if method in ("POST", "PUT"):
        body = data.draw(mutated(docs) | json_values | st.binary(max_size=30), label="body")
        if isinstance(body, bytes):
            kwargs = {"data": body, "content_type": "application/json"}
        else:
            kwargs = {"json": body}
    before = store_digest(app)
    resp = client.open(path, method=method, query_string=query, headers=auth, **kwargs)
    assert resp.status_code < 500, (route, resp.status_code, resp.get_data(as_text=True)[:300])
    if resp.status_code >= 400:
        assert resp.is_json and resp.get_json().get("error"), (route, resp.data[:200])
        assert store_digest(app) == before, f"{route} answered {resp.status_code} but wrote"


def test_an_id_the_store_cannot_hold_is_a_404_for_every_method(world):
    """Above 2**63 it used to reach the driver (OverflowError: a 500); refused by `max`, it
    made a 405 for the methods the path has other rules for."""
    app, client, auth, ids, docs = world
    for path in (
        "/api/dashboards/9223372036854775808",
        "/api/flows/99999999999999999999",
        "/client/forms/9223372036854775808/submit",
    ):
        for method in ("GET", "PUT", "POST", "DELETE"):
            r = client.open(path, method=method, json={}, headers=auth)
            assert r.status_code == 404 and "error" in r.get_json(), (method, path, r.status_code)
    assert (
        client.get("/api/dashboards/999999999999999999", headers=auth).get_json()["error"]
        == "no dashboard 999999999999999999 in this account"
    )


SUBMISSION = {
    "fields": {"email": "ada@shop.test", "first_name": "Ada", "consent": True},
    "visitor": "anon-1",
}


@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_storefront_door_answers_500_and_a_refusal_changes_nothing(world, data):
    """/client/* with the public key: forms, submissions, views, confirmation links."""
    app, client, auth, ids, docs = world
    route, rule = data.draw(
        st.sampled_from(sorted(routes(app, ("/client/",)).items())), label="route"
    )
    method = route.split(" ", 1)[0]
    path = drawn_path(data, rule, {"form_id": ids["live_form_id"]})
    key = data.draw(st.sampled_from([ids["public_key"]] * 3 + ["", "pk_nope"]), label="key")
    kwargs = {}
    if method == "POST":
        body = data.draw(mutated([SUBMISSION]) | json_values | st.binary(max_size=30), label="body")
        kwargs = (
            {"data": body, "content_type": "text/plain"}
            if isinstance(body, bytes)
            else {"json": body}
        )
    before = store_digest(app)
    # A visitor of its own each time, so the abuse limit (per address) does not answer them all.
    addr = data.draw(st.ip_addresses(v=4).map(str), label="visitor address")
    resp = client.open(
        path, method=method, query_string={"key": key}, environ_base={"REMOTE_ADDR": addr}, **kwargs
    )
    assert resp.status_code < 500, (route, resp.status_code, resp.get_data(as_text=True)[:300])
    if resp.status_code >= 400:
        if not route.startswith("GET /client/confirm/"):  # a page for people, not JSON
            assert resp.is_json and resp.get_json().get("error"), (route, resp.data[:200])
        assert store_digest(app) == before, f"{route} answered {resp.status_code} but wrote"

"""The whole app on Cassandra counters: events in through /v1, series out of /api."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from backend.ingest import ingestor
from tests.conftest import make_settings
from tests.ingest.conftest import basic


@pytest.fixture
def cassandra_app(tmp_path, sqlite_url, cassandra_hosts, cassandra_keyspace):
    from app import create_app

    app = create_app(
        make_settings(
            tmp_path,
            sqlite_url,
            TALLY_COUNTERS="cassandra",
            TALLY_CASSANDRA_HOSTS=",".join(cassandra_hosts),
            TALLY_CASSANDRA_KEYSPACE=cassandra_keyspace,
        ),
        ui=False,
    )
    yield app
    app.extensions["tally"].close()


def test_v1_to_series_on_cassandra(cassandra_app):
    from backend.accounts.service import create_account
    from backend.counters import counter_store
    from backend.counters.cassandra import CassandraCounterStore

    rt = cassandra_app.extensions["tally"]
    assert isinstance(counter_store(rt), CassandraCounterStore)
    with rt.db.session() as s:
        acc = create_account(s, "On Cassandra")
    client = cassandra_app.test_client()
    today = datetime.now(UTC).date()
    yesterday = datetime.now(UTC) - timedelta(days=1)
    batch = [
        {
            "type": "track",
            "userId": f"u{i}",
            "event": "Placed Order",
            "messageId": f"c-{i}",
            "timestamp": (yesterday if i % 3 == 0 else datetime.now(UTC)).isoformat(),
            "properties": {"revenue": 10},
            "context": {"ip": "81.2.69.142" if i % 2 else "8.8.8.8"},
        }
        for i in range(30)
    ]
    assert (
        client.post("/v1/batch", json={"batch": batch}, headers=basic(acc.write_key)).status_code
        == 200
    )
    # the same batch again (a client retry): counted once
    client.post("/v1/batch", json={"batch": batch}, headers=basic(acc.write_key))
    ingestor(rt).drain()
    h = {"Authorization": f"Bearer {acc.private_key}"}
    start = (today - timedelta(days=1)).isoformat()
    r = client.get(
        f"/api/metrics/Placed%20Order/series?start={start}&end={today}&interval=day", headers=h
    )
    assert r.status_code == 200
    [series] = r.json["series"]
    assert [p["count"] for p in series["points"]] == [10, 20]
    assert sum(p["revenue"] for p in series["points"]) == 300
    r = client.get(
        f"/api/metrics/Placed%20Order/series?start={start}&end={today}&interval=day&by=country",
        headers=h,
    )
    by = {s["key"]: sum(p["count"] for p in s["points"]) for s in r.json["series"]}
    assert by == {"GB": 15, "US": 15}

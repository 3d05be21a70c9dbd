"""The ingest pipeline counts the same into Cassandra as into SQLite (same messages, both
stores read back and compared), and a redelivered batch is not counted twice."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

import pytest

from backend.counters import counter_store
from backend.ingest import ingestor
from backend.store.models import Account
from tests.conftest import make_settings

START = datetime(2026, 2, 27, 20)
IPS = ["81.2.69.160", "8.8.8.8", "185.60.216.35", "200.160.2.3", "133.242.0.1", None]


def messages(n: int) -> list[dict]:
    rng = random.Random(11)
    out = []
    for i in range(n):
        msg = {
            "type": "track",
            "userId": f"u{rng.randint(1, 40)}",
            "event": rng.choice(["Placed Order", "Added to Cart"]),
            "messageId": f"m-{i}",
            "timestamp": (START + timedelta(minutes=rng.randint(0, 60 * 30))).isoformat() + "Z",
            "properties": {
                "revenue": round(rng.uniform(1, 90), 2),
                "plan": rng.choice(["free", "pro"]),
            },
        }
        ip = rng.choice(IPS)
        if ip:
            msg["context"] = {"ip": ip}
        out.append(msg)
    return out


def ingest_and_read(tmp_path, name: str, batch: list[dict], **env) -> dict:
    from app import create_app
    from backend.accounts.service import create_account

    settings = make_settings(tmp_path / name, f"sqlite:///{tmp_path / name}.sqlite3", **env)
    app = create_app(settings, ui=False)
    runtime = app.extensions["tally"]
    try:
        with runtime.db.session() as s:
            account_id = create_account(s, "Shop", email=None, password="correct horse battery").id
        with runtime.db.session() as s:
            s.get(Account, account_id).dimensions = ["plan"]
        ing = ingestor(runtime)
        ing.accept(account_id, batch)
        ing.drain()
        ing.accept(account_id, batch[:100])  # redelivered: same message ids
        ing.drain()
        store = counter_store(runtime)
        return {
            (metric, dim): {
                (value, hour): (t.count, round(t.revenue, 6))
                for (value, hour), t in store.read(
                    account_id, metric, dim, START - timedelta(days=1), START + timedelta(days=3)
                ).items()
            }
            for metric in ("Placed Order", "Added to Cart")
            for dim in ("", "country", "plan")
        }
    finally:
        runtime.close()


def test_cassandra_counts_what_sqlite_counts(tmp_path, cassandra_hosts, cassandra_keyspace):
    batch = messages(600)
    sqlite = ingest_and_read(tmp_path, "sqlite", batch)
    cassandra = ingest_and_read(
        tmp_path,
        "cassandra",
        batch,
        TALLY_COUNTERS="cassandra",
        TALLY_CASSANDRA_HOSTS=",".join(cassandra_hosts),
        TALLY_CASSANDRA_KEYSPACE=cassandra_keyspace,
    )
    assert cassandra == sqlite
    total = sum(
        c for metric in ("Placed Order", "Added to Cart") for c, _ in sqlite[(metric, "")].values()
    )
    assert total == len(batch)
    assert len(sqlite[("Placed Order", "country")]) > 1
    assert {v for v, _ in sqlite[("Placed Order", "plan")]} == {"free", "pro"}


@pytest.fixture(autouse=True, scope="module")
def _drop_keyspace(cassandra_hosts, cassandra_keyspace):
    yield
    from cassandra.cluster import Cluster

    cluster = Cluster(list(cassandra_hosts), protocol_version=5)
    try:
        cluster.connect().execute(f"DROP KEYSPACE IF EXISTS {cassandra_keyspace}")
    finally:
        cluster.shutdown()

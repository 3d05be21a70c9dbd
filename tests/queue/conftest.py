"""Kafka mode against real services: the broker scripts/services.sh starts
(TALLY_TEST_KAFKA_BOOTSTRAP), PostgreSQL and Cassandra. Each test gets its own topic prefix
(fresh topics and groups) and its own Cassandra keyspace per module, so tests never see each
other's records or counters."""

from __future__ import annotations

import os
import random
import uuid
from datetime import datetime, timedelta

import pytest

from tests.conftest import IN_CI, make_settings

START = datetime(2026, 2, 27, 20)
IPS = ["81.2.69.160", "8.8.8.8", "185.60.216.35", "200.160.2.3", "133.242.0.1", None]
METRICS = ("Placed Order", "Added to Cart")
DIMS = ("", "country", "plan")


def kafka_bootstrap() -> str:
    found = os.environ.get("TALLY_TEST_KAFKA_BOOTSTRAP", "")
    if not found:
        if IN_CI:
            pytest.fail("TALLY_TEST_KAFKA_BOOTSTRAP is unset: services.sh must start Kafka")
        pytest.skip("Kafka not started (run `make test`, or scripts/services.sh start)")
    return found


@pytest.fixture(name="kafka_bootstrap", scope="session")
def kafka_bootstrap_fixture() -> str:
    return kafka_bootstrap()


@pytest.fixture(scope="module")
def keyspace(cassandra_hosts):
    name = f"tally_q_{uuid.uuid4().hex[:10]}"
    yield name
    from cassandra.cluster import Cluster

    cluster = Cluster(list(cassandra_hosts), protocol_version=5)
    try:
        cluster.connect().execute(f"DROP KEYSPACE IF EXISTS {name}")
    finally:
        cluster.shutdown()


@pytest.fixture(name="cassandra_hosts", scope="module")
def cassandra_hosts_fixture() -> tuple[str, ...]:
    from tests.counters.conftest import cassandra_hosts

    return cassandra_hosts()


@pytest.fixture
def kafka_env(kafka_bootstrap, cassandra_hosts, keyspace, pg_database) -> dict:
    """The environment of a Kafka-mode node: PostgreSQL, Cassandra, fresh topics (4 partitions)."""
    from tests.conftest import _truncate_pg

    _truncate_pg(pg_database)
    return {
        "TALLY_DATABASE_URL": pg_database,
        "TALLY_QUEUE": "kafka",
        "TALLY_KAFKA_BOOTSTRAP": kafka_bootstrap,
        "TALLY_KAFKA_PREFIX": f"t{uuid.uuid4().hex[:10]}",
        "TALLY_KAFKA_PARTITIONS": "4",
        "TALLY_COUNTERS": "cassandra",
        "TALLY_CASSANDRA_HOSTS": ",".join(cassandra_hosts),
        "TALLY_CASSANDRA_KEYSPACE": keyspace,
    }


def node(tmp_path, name: str, env: dict):
    """A Tally node (its own var dir) on the shared services: (flask app, runtime)."""
    from app import create_app
    from backend.queue.producer import check_reachable

    settings = make_settings(tmp_path / name, env["TALLY_DATABASE_URL"], **env)
    if settings.queue == "kafka":
        check_reachable(settings)
    app = create_app(settings, ui=False)
    app.config["TESTING"] = True
    return app, app.extensions["tally"]


def new_account(runtime, dims=("plan",)):
    from backend.accounts.service import create_account
    from backend.store.models import Account

    with runtime.db.session() as s:
        created = create_account(s, "Shop", email=None, password="correct horse battery")
    with runtime.db.session() as s:
        s.get(Account, created.id).dimensions = list(dims)
    return created


def messages(n: int, seed: int = 11, prefix: str = "m") -> list[dict]:
    """Track messages over 30 hours, some days late (their own hour buckets)."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        late = rng.random() < 0.05
        ts = START + timedelta(minutes=rng.randint(0, 60 * 30)) - timedelta(days=3 * late)
        msg = {
            "type": "track",
            "userId": f"u{rng.randint(1, 40)}",
            "event": rng.choice(METRICS),
            "messageId": f"{prefix}-{i}",
            "timestamp": ts.isoformat() + "Z",
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


def read_counts(store, account_id: str) -> dict:
    return {
        (metric, dim): {
            (value, hour): (t.count, round(t.revenue, 6))
            for (value, hour), t in store.read(
                account_id, metric, dim, START - timedelta(days=4), START + timedelta(days=3)
            ).items()
        }
        for metric in METRICS
        for dim in DIMS
    }


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """Counts of a single-node run on the spool (SQLite store and counters), by message list
    seed: what Kafka mode must count, cell for cell."""
    made: dict = {}

    def ref(batch: list[dict]) -> dict:
        key = tuple(m["messageId"] for m in batch), len(batch)
        if key in made:
            return made[key]
        from backend.counters import counter_store
        from backend.ingest import ingestor

        tmp = tmp_path_factory.mktemp("reference")
        settings_env = {"TALLY_DATABASE_URL": f"sqlite:///{tmp / 'ref.sqlite3'}"}
        app, rt = node(tmp, "ref", settings_env)
        try:
            acc = new_account(rt)
            ing = ingestor(rt)
            ing.accept(acc.id, batch)
            ing.drain()
            made[key] = read_counts(counter_store(rt), acc.id)
        finally:
            rt.close()
        return made[key]

    return ref


def basic(write_key: str) -> dict:
    import base64

    return {"Authorization": "Basic " + base64.b64encode(f"{write_key}:".encode()).decode()}


def lag_of(settings) -> dict:
    from backend.queue.lag import _measure
    from backend.queue.topics import names

    return _measure(settings.kafka_bootstrap, names(settings), 5.0)


def run_until_caught_up(member, settings, group: str, timeout: float = 90.0) -> None:
    """Run a consumer (in a thread) until its group has no lag, then stop it."""
    import threading
    import time

    t = threading.Thread(target=member.run, daemon=True)
    t.start()
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            time.sleep(0.5)
            if lag_of(settings)[group]["lag"] == 0:
                return
        raise AssertionError(f"{group} still lags after {timeout}s: {lag_of(settings)}")
    finally:
        member.close()
        t.join(timeout=30)

"""The counter store under test on BOTH backends: embedded SQLite, and the real Cassandra node
that scripts/services.sh starts (TALLY_TEST_CASSANDRA_HOSTS). Cassandra tests share one fresh
keyspace per module (schema changes take seconds); each test uses its own account ids and
flush ids, so tests never see each other's counters."""

from __future__ import annotations

import os
import uuid

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def cassandra_hosts() -> tuple[str, ...]:
    hosts = os.environ.get("TALLY_TEST_CASSANDRA_HOSTS", "")
    if not hosts:
        if IN_CI:
            pytest.fail("TALLY_TEST_CASSANDRA_HOSTS is unset: services.sh must start Cassandra")
        pytest.skip("Cassandra not started (run `make test`, or scripts/services.sh start)")
    return tuple(h.strip() for h in hosts.split(",") if h.strip())


@pytest.fixture(name="cassandra_hosts", scope="module")
def cassandra_hosts_fixture() -> tuple[str, ...]:
    return cassandra_hosts()


@pytest.fixture(scope="module")
def cassandra_keyspace() -> str:
    return f"tally_test_{uuid.uuid4().hex[:12]}"


@pytest.fixture(scope="module")
def cassandra_store(cassandra_hosts, cassandra_keyspace):
    from backend.counters.cassandra import CassandraCounterStore

    store = CassandraCounterStore(cassandra_hosts, cassandra_keyspace, 1)
    yield store
    store.session.execute(f"DROP KEYSPACE IF EXISTS {cassandra_keyspace}")
    store.close()


@pytest.fixture(params=["sqlite", "cassandra"])
def store(request, tmp_path):
    if request.param == "cassandra":
        yield request.getfixturevalue("cassandra_store")
        return
    from backend.counters.sqlite import SqliteCounterStore

    sqlite_store = SqliteCounterStore(tmp_path / "counters.sqlite3")
    yield sqlite_store
    sqlite_store.close()


@pytest.fixture
def new_id():
    """Fresh ids (accounts, flushes): tests sharing a keyspace never collide."""
    return lambda prefix="id": f"{prefix}_{uuid.uuid4().hex[:12]}"

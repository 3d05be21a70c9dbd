"""open_store(settings) builds the backend TALLY_COUNTERS names, configured from the settings."""

from __future__ import annotations

from datetime import datetime, timedelta

from backend.config import Settings
from backend.counters import CounterKey, Totals, open_store
from backend.counters.cassandra import CassandraCounterStore
from backend.counters.sqlite import SqliteCounterStore

H = datetime(2026, 8, 1, 9)


def test_sqlite_by_default(tmp_path):
    settings = Settings.from_env({"TALLY_VAR_DIR": str(tmp_path)}, env_file=None)
    store = open_store(settings)
    try:
        assert isinstance(store, SqliteCounterStore)
        store.increment("f1", {CounterKey("a", "m", "", "", H): Totals(1, 2.0)})
        assert (tmp_path / "counters.sqlite3").is_file()
    finally:
        store.close()


def test_cassandra_from_settings(tmp_path, cassandra_hosts, cassandra_keyspace, new_id):
    settings = Settings.from_env(
        {
            "TALLY_VAR_DIR": str(tmp_path),
            "TALLY_COUNTERS": "cassandra",
            "TALLY_CASSANDRA_HOSTS": ",".join(cassandra_hosts),
            "TALLY_CASSANDRA_KEYSPACE": cassandra_keyspace,
            "TALLY_CASSANDRA_REPLICATION": "1",
        },
        env_file=None,
    )
    store = open_store(settings)
    try:
        assert isinstance(store, CassandraCounterStore)
        acc = new_id("acc")
        store.increment(new_id("f"), {CounterKey(acc, "m", "", "", H): Totals(4, 2.5)})
        assert store.read(acc, "m", "", H, H + timedelta(hours=1)) == {("", H): Totals(4, 2.5)}
        replication = (
            store.session.execute(
                "SELECT replication FROM system_schema.keyspaces WHERE keyspace_name=%s",
                (cassandra_keyspace,),
            )
            .one()
            .replication
        )
        assert dict(replication)["datacenter1"] == "1"  # expanded to the node's datacenter
    finally:
        store.session.execute(f"DROP KEYSPACE IF EXISTS {cassandra_keyspace}")
        store.close()

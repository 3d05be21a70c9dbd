"""Two real Cassandra nodes: the second joins the first, counters replicate to both.

A separate cluster on 127.0.0.21-22 (scripts/cassandra.sh with TALLY_TEST_CASSANDRA_ADDR), so
the shared test node is never part of it. ~30 s and 2 GiB of heap while it runs.
"""

from __future__ import annotations

import os
import subprocess
from datetime import datetime, timedelta

import pytest
from cassandra import ConsistencyLevel, Unavailable
from cassandra.cluster import Cluster, NoHostAvailable
from cassandra.policies import WhiteListRoundRobinPolicy
from cassandra.query import SimpleStatement

from backend.counters.base import CounterKey, Totals
from backend.counters.cassandra import CassandraCounterStore

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SEED = "127.0.0.21"
H = datetime(2026, 7, 1, 12)


def node(action: str, n: int) -> None:
    env = {**os.environ, "TALLY_TEST_CASSANDRA_ADDR": SEED}
    subprocess.run(
        [f"{ROOT}/scripts/cassandra.sh", action, str(n)], env=env, check=True, timeout=240
    )


@pytest.fixture
def two_nodes(cassandra_hosts):
    # Depends on cassandra_hosts to skip (or fail in CI) like the other Cassandra tests.
    try:
        node("start", 1)
        node("start", 2)
        yield ("127.0.0.21", "127.0.0.22")
    finally:
        node("stop", 2)
        node("stop", 1)


def rows_on(host: str, keyspace: str, acc: str) -> int:
    """Cells of `acc` that `host` holds itself (CL ONE, only that coordinator and replica)."""
    cluster = Cluster(
        [host], load_balancing_policy=WhiteListRoundRobinPolicy([host]), protocol_version=5
    )
    try:
        session = cluster.connect()
        query = SimpleStatement(
            f"SELECT count(*) FROM {keyspace}.counter_cells WHERE account_id=%s "
            "AND metric='Placed Order' AND dimension='' AND day=%s",
            consistency_level=ConsistencyLevel.ONE,
        )
        return session.execute(query, (acc, H.date())).one()[0]
    finally:
        cluster.shutdown()


@pytest.mark.slow
def test_second_node_joins_and_holds_replicas(two_nodes, new_id):
    store = CassandraCounterStore(two_nodes, "tally_pair", replication=2)
    try:
        peers = [r.peer for r in store.session.execute("SELECT peer FROM system.peers_v2")]
        assert len(peers) == 1 and peers[0] in two_nodes
        acc = new_id("acc")
        store.increment(new_id("f"), {CounterKey(acc, "Placed Order", "", "", H): Totals(7, 7.5)})
        window = (H, H + timedelta(hours=1))
        assert store.read(acc, "Placed Order", "", *window) == {("", H): Totals(7, 7.5)}
        # RF=2 on two nodes: each node holds the cells itself (the hour's and the day's).
        assert [rows_on(h, "tally_pair", acc) for h in two_nodes] == [2, 2]
        node("stop", 2)
        # LOCAL_QUORUM of 2 replicas needs both: with one down the store refuses rather than
        # answering from half the replicas (docs/setup.md: use RF=3 to survive one node).
        with pytest.raises((Unavailable, NoHostAvailable)) as refused:
            store.session.execute(store._st.select, (acc, "Placed Order", "", H.date(), *window))
        assert "Cannot achieve consistency level LOCAL_QUORUM" in str(refused.value)
    finally:
        store.close()

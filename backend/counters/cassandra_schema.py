"""Cassandra session, schema and prepared statements of the counter store (docs/cassandra.md).

The counters are NOT Cassandra counter columns: counter writes are not idempotent, so a retried
flush could count twice. Each flush writes its deltas as ordinary cells keyed by flush id
(`counter_cells`), an idempotent upsert; reads sum them; compaction folds the cells of finished
flushes into one base cell per (hour, value), flush id "".

Each partition (one UTC day) also holds the day's roll-up: cells whose `hour` is DAY_ROW, one per
value and flush, written in the same flush as the hour cells and folded like them.
"""

from __future__ import annotations

import re
import socket
from dataclasses import dataclass
from datetime import datetime

from cassandra import ConsistencyLevel, WriteType
from cassandra.cluster import EXEC_PROFILE_DEFAULT, Cluster, ExecutionProfile, Session
from cassandra.policies import DCAwareRoundRobinPolicy, RetryPolicy, TokenAwarePolicy
from cassandra.query import PreparedStatement

BASE = ""  # flush id of the compacted base cell of an (hour, value)
# The `hour` of a partition's day cells (the day's sum per value). No real hour can take it:
# a partition holds the hours of its own day, and reads of hours never leave that day.
DAY_ROW = datetime(1, 1, 1)
# Flush ledger rows expire after 8 days, less than gc_grace_seconds (10 days): while a ledger
# row lives, a retried flush is recognised; the compaction tombstones outlive it.
LEDGER_TTL = 8 * 24 * 3600

_KEYSPACE_RE = re.compile(r"^[a-z][a-z0-9_]{0,47}$")


class FlushRetryPolicy(RetryPolicy):
    """Retry a write timeout once when the write is an idempotent upsert, never otherwise.

    Every cell we write is a plain upsert with the flush's own timestamp, so writing it twice
    is harmless and one quick retry saves a whole flush retry. A timed-out lightweight
    transaction (the flush ledger, compaction) may or may not have been applied: it is
    rethrown, the flush fails, and the ingest pipeline retries it with the same flush id,
    which the ledger makes exact. Read timeouts and unavailable replicas keep the driver's
    conservative defaults (one retry, only when it can succeed). Counter columns would need
    FallthroughRetryPolicy; we avoid them.
    """

    def on_write_timeout(
        self, query, consistency, write_type, required_responses, received_responses, retry_num
    ):
        if retry_num == 0 and write_type in (WriteType.SIMPLE, WriteType.UNLOGGED_BATCH):
            return self.RETRY, consistency
        return self.RETHROW, None


def connect(hosts: tuple[str, ...], port: int = 9042) -> tuple[Cluster, Session]:
    profile = ExecutionProfile(
        load_balancing_policy=TokenAwarePolicy(DCAwareRoundRobinPolicy()),
        retry_policy=FlushRetryPolicy(),
        # LOCAL_QUORUM writes and reads overlap on at least one replica: read-your-writes with
        # RF=3, and simply ONE on a single test node.
        consistency_level=ConsistencyLevel.LOCAL_QUORUM,
        serial_consistency_level=ConsistencyLevel.LOCAL_SERIAL,
        request_timeout=30,
    )
    cluster = Cluster(
        list(hosts),
        port=port,
        execution_profiles={EXEC_PROFILE_DEFAULT: profile},
        protocol_version=5,
        # The driver leaves Nagle on: a request spanning two TCP segments then waits for a
        # delayed ACK (~40 ms), which made compaction batches 10x slower.
        sockopts=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)],
    )
    return cluster, cluster.connect()


def create_schema(session: Session, keyspace: str, replication: int) -> None:
    if not _KEYSPACE_RE.match(keyspace):
        raise ValueError(f"invalid Cassandra keyspace name {keyspace!r}")
    session.execute(
        f"CREATE KEYSPACE IF NOT EXISTS {keyspace} WITH replication = "
        f"{{'class': 'NetworkTopologyStrategy', 'replication_factor': {int(replication)}}}"
    )
    # One partition per (account, metric, dimension, UTC day): at most 24 hours x values,
    # a read of N days is N partition reads in parallel. `version` guards compaction (LWT).
    session.execute(
        f"""CREATE TABLE IF NOT EXISTS {keyspace}.counter_cells (
            account_id text, metric text, dimension text, day date,
            hour timestamp, value text, flush_id text,
            count bigint, revenue double, version int static,
            PRIMARY KEY ((account_id, metric, dimension, day), hour, value, flush_id))"""
    )
    # Which days hold cells, per (account, metric, dimension): a read over years touches
    # only the days that exist. Rows are only ever added. `rolled` is true once the day's
    # partition has its day cells for everything in it: from its first flush for partitions
    # created since day cells exist, after a one-time roll-up for older ones.
    session.execute(
        f"""CREATE TABLE IF NOT EXISTS {keyspace}.counter_days (
            account_id text, metric text, dimension text, day date, rolled boolean,
            PRIMARY KEY ((account_id, metric, dimension), day))"""
    )
    session.execute(f"ALTER TABLE {keyspace}.counter_days ADD IF NOT EXISTS rolled boolean")
    session.execute(
        f"""CREATE TABLE IF NOT EXISTS {keyspace}.counter_flushes (
            flush_id text PRIMARY KEY, write_ts bigint, complete boolean)
            WITH default_time_to_live = {LEDGER_TTL}"""
    )


@dataclass(frozen=True)
class Statements:
    claim: PreparedStatement
    complete: PreparedStatement
    insert: PreparedStatement
    put_day: PreparedStatement
    days: PreparedStatement
    set_rolled: PreparedStatement
    select: PreparedStatement
    select_day: PreparedStatement
    select_partition: PreparedStatement
    ledger: PreparedStatement
    bump: PreparedStatement
    put_base: PreparedStatement
    delete_cell: PreparedStatement

    @classmethod
    def prepare(cls, session: Session, ks: str) -> Statements:
        pk = "account_id=? AND metric=? AND dimension=? AND day=?"
        st = cls(
            claim=session.prepare(
                f"INSERT INTO {ks}.counter_flushes (flush_id, write_ts, complete) "
                "VALUES (?, ?, false) IF NOT EXISTS"
            ),
            complete=session.prepare(
                f"UPDATE {ks}.counter_flushes SET complete = true WHERE flush_id = ?"
            ),
            insert=session.prepare(
                f"INSERT INTO {ks}.counter_cells (account_id, metric, dimension, day, hour, "
                "value, flush_id, count, revenue) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "USING TIMESTAMP ?"
            ),
            # A lightweight transaction: only the flush that creates the index row of a day
            # knows that its partition has no cells from before day cells existed.
            put_day=session.prepare(
                f"INSERT INTO {ks}.counter_days (account_id, metric, dimension, day, rolled) "
                "VALUES (?, ?, ?, ?, true) IF NOT EXISTS"
            ),
            days=session.prepare(
                f"SELECT day, rolled FROM {ks}.counter_days WHERE account_id=? AND metric=? "
                "AND dimension=? AND day >= ? AND day <= ?"
            ),
            set_rolled=session.prepare(f"UPDATE {ks}.counter_days SET rolled = true WHERE {pk}"),
            select=session.prepare(
                f"SELECT hour, value, flush_id, count, revenue FROM {ks}.counter_cells "
                f"WHERE {pk} AND hour >= ? AND hour < ?"
            ),
            select_day=session.prepare(
                f"SELECT value, flush_id, count, revenue FROM {ks}.counter_cells "
                f"WHERE {pk} AND hour = ?"
            ),
            select_partition=session.prepare(
                f"SELECT version, hour, value, flush_id, count, revenue FROM {ks}.counter_cells "
                f"WHERE {pk}"
            ),
            ledger=session.prepare(
                f"SELECT flush_id, complete FROM {ks}.counter_flushes WHERE flush_id IN ?"
            ),
            bump=session.prepare(
                f"UPDATE {ks}.counter_cells SET version = ? WHERE {pk} IF version = ?"
            ),
            put_base=session.prepare(
                f"INSERT INTO {ks}.counter_cells (account_id, metric, dimension, day, hour, "
                "value, flush_id, count, revenue) VALUES (?, ?, ?, ?, ?, ?, '', ?, ?)"
            ),
            delete_cell=session.prepare(
                f"DELETE FROM {ks}.counter_cells WHERE {pk} AND hour=? AND value=? AND flush_id=?"
            ),
        )
        for idempotent in (
            st.complete,
            st.insert,
            st.days,
            st.set_rolled,
            st.select,
            st.select_day,
            st.select_partition,
            st.ledger,
        ):
            idempotent.is_idempotent = True
        return st

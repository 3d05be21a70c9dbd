"""`tally consume counting`: a member of the counting group. Exactly once (docs/kafka.md):

1. Consume a batch (read_committed) from the partitions this member owns.
2. Per partition, drop messages whose dedup key its state holds (or earlier in the batch);
   sum the rest into counter deltas for one flush, with a fresh flush id.
3. In ONE Kafka transaction: per partition, a state record (the new dedup keys, the flush id
   and its deltas, the flushes applied since the last record) to the same partition of the
   state topic; unreadable records to the dead-letter topic; the consumed offsets
   (send_offsets_to_transaction, fenced by the group's generation).
4. After the commit: counters.increment(flush_id, deltas), idempotent per flush id; the id is
   then recorded as applied in the partition's next state record.
A kill before 3 commits leaves nothing (the records are read again, the state rebuilt from
committed records only). A kill between 3 and 4 leaves a flush without "applied": whoever owns
the partition next rebuilds its state, finds it and increments it (a no-op if it was applied).
A member fenced by a rebalance cannot commit; its increments of flushes already committed
are idempotent. So each message counts once, across kills, rebalances and nodes.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

from confluent_kafka import (
    OFFSET_BEGINNING,
    Consumer,
    KafkaError,
    KafkaException,
    Producer,
    TopicPartition,
)
from sqlalchemy import select

from backend.counters.base import CounterKey, Totals
from backend.ingest.aggregate import deltas_from_json, deltas_to_json
from backend.ingest.fold import dimensions_of
from backend.ingest.summary import Groups, add_one, count_groups, merge
from backend.queue import records, topics
from backend.queue.restore import restore
from backend.queue.state import PartitionState
from backend.store.models import Account

log = logging.getLogger("tally.queue.counting")
DIMENSIONS_TTL = 5.0
# Records a transaction at most (packed: tens of messages each); fewer, larger flushes.
BATCH = 20_000
GATHER_S = 0.25  # how long a batch may keep gathering what arrives (docs/kafka.md)


class CountingConsumer:
    def __init__(self, settings, db, counters, batch: int = BATCH, member: str | None = None):
        self.db = db
        self.t = topics.names(settings)
        self.counters = counters
        self.batch = batch
        self.bootstrap = settings.kafka_bootstrap
        self.member = member or uuid.uuid4().hex[:12]
        self.states: dict[int, PartitionState] = {}
        self._dims: dict[str, tuple[list[str] | None, float]] = {}
        self.stop = threading.Event()
        # Step 4 of a batch runs while the next batch is read and counted: the counter
        # store's round trips (hundreds of ms for thousands of cells) no longer stall it.
        # One increment in flight at most; its flush is marked applied once it returned.
        self._increments = ThreadPoolExecutor(1, thread_name_prefix="tally-increment")
        self._inflight: tuple | None = None
        self.consumer = Consumer(
            {
                "bootstrap.servers": self.bootstrap,
                "group.id": self.t.counting_group,
                "isolation.level": "read_committed",
                "enable.auto.commit": False,
                "auto.offset.reset": "earliest",
                "partition.assignment.strategy": "roundrobin",
                "session.timeout.ms": 10_000,
                "heartbeat.interval.ms": 1_000,
                "fetch.max.bytes": 32 * 1024 * 1024,
                # The broker answers a fetch once this much has come or the wait is over, not
                # on every new record: fewer, fuller fetches (docs/kafka.md, "Speed").
                "fetch.min.bytes": 1024 * 1024,
                "fetch.wait.max.ms": 100,
            }
        )
        self.producer = Producer(
            {
                "bootstrap.servers": self.bootstrap,
                # Unique per member: the group's generation (KIP-447) fences a zombie instead.
                "transactional.id": f"tally-counting-{self.member}",
                "enable.idempotence": True,
                "acks": "all",
                "linger.ms": 5,
                "compression.type": "lz4",
                # A killed member's open transaction hides the state after it from the next
                # owner until the coordinator aborts it: keep that short (docs/kafka.md).
                "transaction.timeout.ms": 15_000,
            }
        )
        self.producer.init_transactions(30)

    # -- the partitions this member owns --

    def _on_assign(self, consumer, parts) -> None:
        self.states.update(self._restore([tp.partition for tp in parts]))
        # Flushes committed by a former owner and maybe never applied: apply them now.
        for p in sorted(tp.partition for tp in parts):
            st = self.states[p]
            for fid, deltas in list(st.pending.items()):
                self.counters.increment(fid, deltas_from_json(deltas))
                st.pending.pop(fid)
                st.applied_unrecorded.append(fid)
        log.info("counting partitions %s", sorted(self.states))

    def _on_revoke(self, consumer, parts) -> None:
        self._settle()  # the flush in flight: applied before the partitions go
        for tp in parts:
            self.states.pop(tp.partition, None)

    def _restore(self, partitions: list[int]) -> dict[int, PartitionState]:
        return restore(self.bootstrap, self.t, self.member, partitions)

    # -- the loop --

    def run(self) -> None:
        self.consumer.subscribe(
            [self.t.events], on_assign=self._on_assign, on_revoke=self._on_revoke
        )
        try:
            while not self.stop.is_set():
                msgs = self._gather()
                if msgs:
                    self.process(msgs)
        finally:
            try:
                self._settle()
            finally:
                self._increments.shutdown(wait=True)
                self.consumer.close()

    def _gather(self) -> list:
        """A batch: what has arrived, read in short polls until one brings nothing, the batch
        is full or GATHER_S passed (up to 4x that while an increment is in flight).
        (consume(n, timeout) waits out its whole timeout unless n records came: it added up
        to half a second to every count's latency.)"""
        first = self.consumer.poll(0.5)  # returns as soon as a record is there
        if first is None:
            return []
        msgs = [first]
        now = time.monotonic()
        until, cap = now + GATHER_S, now + 4 * GATHER_S
        while len(msgs) < self.batch and now < cap:
            # While the last increment is still in flight, its successor could not start
            # anyway: keep gathering, so flushes (and counter cells) follow what the
            # counter store can take instead of the poll rate.
            busy = self._inflight is not None and not self._inflight[0].done()
            if not busy and now >= until:
                break
            more = self.consumer.consume(self.batch - len(msgs), 0.01)
            if more:
                msgs += more
            elif not busy:
                break
            now = time.monotonic()
        return msgs

    def process(self, msgs: list) -> int:
        """Count one batch exactly once; returns how many messages were new."""
        by_part: dict[int, list] = defaultdict(list)
        for m in msgs:
            if m.error() is not None:
                if m.error().code() != KafkaError._PARTITION_EOF:
                    log.warning("consumer: %s", m.error())
                continue
            by_part[m.partition()].append(m)
        # One flush for the whole batch: pre-aggregated across partitions, the counter store
        # sees one cell per key instead of one per key and partition. It is recorded (with its
        # deltas) in the state of the batch's first partition only, whose owner replays it if
        # it was never marked applied; the other partitions' records carry their keys.
        t0 = time.perf_counter()
        work, dead = [], []
        counted: dict[str, tuple[list[str] | None, Groups]] = {}  # account -> (dims, sums)
        for p, pmsgs in sorted(by_part.items()):
            st = self.states.get(p)
            if st is None:  # revoked while the batch was in hand
                continue
            fresh: list[int] = []
            batch_seen: set[int] = set()
            for m in pmsgs:
                try:
                    new = self._count(counted, st.seen, batch_seen, m)
                except Exception as exc:  # a poison record: quarantined, never blocks p
                    dead.append((m, repr(exc)))
                    continue
                batch_seen.update(new)
                fresh.extend(new)
            work.append((p, st, pmsgs[-1].offset() + 1, fresh))
        if not work:
            return 0
        deltas: dict = {}
        hours: dict = {}
        for account_id, (dims, groups) in counted.items():
            if dims is not None:  # None: the account was deleted after the request's 200
                count_groups(deltas, hours, account_id, dims, groups)
        frozen = {CounterKey(*k): Totals(v[0], v[1]) for k, v in deltas.items()}
        first = work[0]
        fid = f"k{first[0]}-{first[2]}-{uuid.uuid4().hex[:12]}" if frozen else None
        t1 = time.perf_counter()
        if not self._commit(work, dead, fid, frozen):
            return 0
        t2 = time.perf_counter()
        now = time.time()
        for _p, st, _end, fresh in work:
            st.add(fresh, now)
            st.expire(now)
        if fid is not None:
            self._settle()
            future = self._increments.submit(self.counters.increment, fid, frozen)
            self._inflight = (future, fid, first[1])
        new = sum(len(w[3]) for w in work)
        log.debug(
            "%d records, %d new messages, %d cells: counted in %.0f ms, committed in %.0f ms, "
            "waited %.0f ms for the previous increment",
            len(msgs),
            new,
            len(frozen),
            (t1 - t0) * 1e3,
            (t2 - t1) * 1e3,
            (time.perf_counter() - t2) * 1e3,
        )
        return new

    def _settle(self) -> None:
        """Wait for the increment in flight (step 4 of the batch before); then its flush is
        known applied, and the next state record of its partition says so. An increment that
        failed raises here: the member stops, and the flush stays pending in the state topic,
        replayed by the partition's next owner."""
        if self._inflight is None:
            return
        future, fid, st = self._inflight
        self._inflight = None
        future.result()
        st.applied_unrecorded.append(fid)

    def _commit(self, work: list, dead: list, fid: str | None, frozen: dict) -> bool:
        """Step 3: state records, dead letters and offsets in one transaction."""
        p = self.producer
        try:
            p.begin_transaction()
            for i, (part, st, _end, fresh) in enumerate(work):
                flush = (fid, deltas_to_json(frozen)) if i == 0 and fid else (None, None)
                if not fresh and flush[0] is None and not st.applied_unrecorded:
                    continue  # nothing to remember: the offsets alone say it
                value = PartitionState.encode(*flush, st.applied_unrecorded, fresh)
                p.produce(self.t.counting_state, value, partition=part)
            for m, why in dead:
                p.produce(
                    self.t.dead_letters,
                    m.value(),
                    m.key(),
                    headers=[
                        ("tally-group", self.t.counting_group.encode()),
                        ("tally-source", f"{m.topic()}/{m.partition()}@{m.offset()}".encode()),
                        ("tally-error", why.encode()[:1000]),
                    ],
                )
            offsets = [TopicPartition(self.t.events, part, end) for part, _, end, *_ in work]
            p.send_offsets_to_transaction(offsets, self.consumer.consumer_group_metadata(), 30)
            p.commit_transaction(60)
        except KafkaException as exc:
            err = exc.args[0]
            if err.fatal():
                raise
            log.warning("counting transaction aborted (%s); the batch is read again", err)
            try:
                p.abort_transaction(30)
            except KafkaException:
                log.exception("abort failed")
            self._rewind([part for part, *_ in work])
            return False
        for _part, st, *_ in work:
            st.applied_unrecorded = []
        return True

    def _rewind(self, parts: list[int]) -> None:
        """Back to the committed offsets of the batch's partitions still owned."""
        owned = [TopicPartition(self.t.events, p) for p in parts if p in self.states]
        if not owned:
            return
        for tp in self.consumer.committed(owned, 10):
            tp.offset = tp.offset if tp.offset >= 0 else OFFSET_BEGINNING
            try:
                self.consumer.seek(tp)
            except KafkaException:
                log.warning("could not rewind partition %d (revoked?)", tp.partition)

    def _count(self, counted: dict, seen: set[int], batch_seen: set[int], m) -> list[int]:
        """Add a record's new messages to `counted`; return their dedup keys. A record whose
        messages are all new and whose summary was summed by the account's dimensions adds
        its summary without a message parsed (the usual); any other is read message by
        message. Raises for a record Tally did not make (quarantined by the caller)."""
        rec = records.unpack(m.value(), m.key())
        keys = rec.keys.tolist()
        hit = counted.get(rec.account)
        if hit is None:
            hit = counted[rec.account] = (self._dimensions(rec.account), {})
        dims, groups = hit
        summary = rec.summary
        if (
            summary is not None
            and summary["d"] == dims
            and seen.isdisjoint(keys)
            and batch_seen.isdisjoint(keys)
            and len(set(keys)) == len(keys)
        ):
            merge(groups, summary)
            return keys
        new, mine, own = [], set(), {}
        for k, msg in zip(keys, rec.messages(), strict=True):
            if k in seen or k in batch_seen or k in mine:
                continue
            metric, ms = msg["e"], msg["ts"]
            if not isinstance(ms, int) or not isinstance(metric, str):
                raise ValueError("a record without a metric or an integer timestamp")
            if dims is not None:
                add_one(own, dims, metric, ms, msg["ip"], msg["p"] or {})
            mine.add(k)
            new.append(k)
        for key, (n, rev) in own.items():  # the record is whole: now into the batch's sums
            slot = groups.get(key)
            if slot is None:
                groups[key] = [n, rev]
            else:
                slot[0] += n
                slot[1] += rev
        return new

    def _dimensions(self, account_id: str) -> list[str] | None:
        hit = self._dims.get(account_id)
        now = time.monotonic()
        if hit is not None and now - hit[1] < DIMENSIONS_TTL:
            return hit[0]
        with self.db.session() as s:
            account = s.scalars(select(Account).where(Account.id == account_id)).first()
            dims = dimensions_of(account) if account is not None else None
        self._dims[account_id] = (dims, now)
        return dims

    def close(self) -> None:
        self.stop.set()

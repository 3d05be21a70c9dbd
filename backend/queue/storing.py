"""`tally consume storing`: a member of the storing group. Raw events, profiles, metrics and
flow triggers go to the relational store in large batches (fold_account, as the spool's
aggregator stores them, without counting: the counting group does that).

At least once from Kafka, exactly once in the store: a batch commits in one relational
transaction, then its offsets are committed to Kafka. A kill between the two reads the batch
again, and the events' unique dedup key drops what was stored (backend/store/dedup.py).
Storing may lag behind counting; neither waits for the other.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict

from confluent_kafka import Consumer, KafkaError, Producer
from sqlalchemy.exc import InterfaceError, OperationalError

from backend.ingest.fold import fold_account
from backend.queue import records, topics
from backend.store.db import planned_afresh

log = logging.getLogger("tally.queue.storing")
# Records a pass (packed: a request's messages of one partition each, tens of messages):
# large passes amortise the index pages a pass rewrites (docs/ingestion.md).
BATCH = 1_000
_REQUIRED = ("id", "e", "ts", "p")


class StoringConsumer:
    def __init__(self, settings, db, hooks: tuple = (), batch: int = BATCH):
        self.db = db
        self.t = topics.names(settings)
        self.hooks = hooks
        self.batch = batch
        self.stop = threading.Event()
        self.consumer = Consumer(
            {
                "bootstrap.servers": settings.kafka_bootstrap,
                "group.id": self.t.storing_group,
                "isolation.level": "read_committed",
                "enable.auto.commit": False,
                "auto.offset.reset": "earliest",
                "partition.assignment.strategy": "roundrobin",
                "session.timeout.ms": 30_000,
                "max.poll.interval.ms": 600_000,  # a large batch may take a while to store
                "fetch.max.bytes": 64 * 1024 * 1024,
                "fetch.min.bytes": 4 * 1024 * 1024,  # fewer, fuller fetches: it may lag
                "fetch.wait.max.ms": 500,
            }
        )
        self.dead = Producer(
            {"bootstrap.servers": settings.kafka_bootstrap, "enable.idempotence": True}
        )

    def run(self) -> None:
        self.consumer.subscribe([self.t.events])
        try:
            while not self.stop.is_set():
                msgs = self.consumer.consume(self.batch, 1.0)
                if msgs:
                    self.process(msgs)
        finally:
            self.consumer.close()

    def process(self, msgs: list) -> int:
        by_account: dict[str, list[dict]] = defaultdict(list)
        poison = []
        for m in msgs:
            if m.error() is not None:
                if m.error().code() != KafkaError._PARTITION_EOF:
                    log.warning("consumer: %s", m.error())
                continue
            try:
                rec = records.unpack(m.value(), m.key())
                msgs = rec.messages()
                if not all(
                    isinstance(msg, dict) and all(map(msg.__contains__, _REQUIRED)) for msg in msgs
                ):
                    raise ValueError("a record without an account or a message's fields")
            except Exception as exc:  # a poison record: quarantined, never blocks a partition
                poison.append((m, repr(exc)))
                continue
            by_account[rec.account].extend((m, msg) for msg in msgs)
        stored = 0
        if by_account:
            try:
                stored = self._fold(by_account)
            except (OperationalError, InterfaceError):
                raise  # the database is away, not the records: retried whole after a restart
            except Exception:
                # A record that decodes but cannot be stored: fold one message a transaction,
                # so only it goes to the dead letters and the partition goes on.
                log.exception("a storing batch failed; storing it message by message")
                stored = 0
                for account_id, pairs in by_account.items():
                    for m, msg in pairs:
                        try:
                            stored += self._fold({account_id: [(m, msg)]})
                        except (OperationalError, InterfaceError):
                            raise
                        except Exception as exc:
                            # The whole record goes aside (its other messages are stored:
                            # storing it again later stores none of them twice).
                            if not any(d is m for d, _ in poison):
                                poison.append((m, repr(exc)))
        for m, why in poison:
            self.dead.produce(
                self.t.dead_letters,
                m.value(),
                m.key(),
                headers=[
                    ("tally-group", self.t.storing_group.encode()),
                    ("tally-source", f"{m.topic()}/{m.partition()}@{m.offset()}".encode()),
                    ("tally-error", why.encode()[:1000]),
                ],
            )
        if poison and self.dead.flush(30) > 0:
            raise RuntimeError("the dead-letter topic did not take a poison record")
        self.consumer.commit(asynchronous=False)
        return stored

    def _fold(self, by_account: dict[str, list]) -> int:
        """One relational transaction for the messages: how many were new."""
        stored = 0
        with self.db.session() as s, planned_afresh(s):
            for account_id, pairs in by_account.items():
                stored += fold_account(s, account_id, [msg for _, msg in pairs], None, self.hooks)
        return stored

    def close(self) -> None:
        self.stop.set()

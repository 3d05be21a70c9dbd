"""The request workers' side of Kafka mode: produce accepted messages, wait for the brokers.

A request's messages are packed into one record per partition (records.py, version 1): each
message goes to the partition its key (account, messageId) hashes to, so a message and every
retry of it land on one partition, whichever request carries them, where one counting member
dedups them. The record carries the messages' dedup keys and what they count (summed here,
while the messages are in hand), so the counting member rarely parses a message.

The producer is idempotent with acks=all: a record is acknowledged once every in-sync replica
has it (min.insync.replicas=2 of 3 in production), and librdkafka's own retries never
duplicate or reorder it. A request is answered 200 only after every record of it was
acknowledged; otherwise QueueUnavailable (HTTP 503 with Retry-After): SDKs retry with the same
messageIds, and a record that did reach the brokers is still counted once."""

from __future__ import annotations

import logging
import os
import threading
import time
from datetime import datetime

from confluent_kafka import KafkaException, Producer
from confluent_kafka.admin import AdminClient

from backend.ingest import wire
from backend.ingest.errors import SpoolUnavailable
from backend.ingest.summary import add_one
from backend.queue import records, topics
from backend.queue.split import split
from backend.queue.state import key_hash

log = logging.getLogger("tally.queue")

# How long a request waits for the brokers before it is answered 503 (librdkafka's
# message.timeout.ms: a record not acknowledged by then fails).
ACK_TIMEOUT_S = 5.0


class QueueUnavailable(SpoolUnavailable):
    """The brokers did not acknowledge every message of a request: nothing of it is
    acknowledged to the client (HTTP 503 + Retry-After, like a full spool disk)."""


class QueueUnreachable(RuntimeError):
    """No broker answers at start-up: `tally serve`/`tally consume` stop with exit status 2."""


def check_reachable(settings, timeout: float = 5.0) -> None:
    """QueueUnreachable, in one line that says what to fix, unless a broker answers; then
    the topics exist (created if missing)."""
    bootstrap = settings.kafka_bootstrap
    try:
        # log_level 0: librdkafka's own connection errors would bury the one line that says why
        quiet = {"bootstrap.servers": bootstrap, "socket.timeout.ms": 3000, "log_level": 0}
        AdminClient(quiet).list_topics(timeout=timeout)
        topics.ensure(bootstrap, topics.names(settings), settings.kafka_partitions)
    except KafkaException as exc:
        raise QueueUnreachable(
            f"cannot reach Kafka at {bootstrap} (TALLY_KAFKA_BOOTSTRAP): {exc.args[0]}"
        ) from None


class _Request:
    """Counts one request's acknowledgements down."""

    __slots__ = ("left", "failed", "done", "lock")

    def __init__(self, n: int):
        self.left = n
        self.failed: str | None = None
        self.done = threading.Event()
        self.lock = threading.Lock()

    def ack(self, err, _msg) -> None:
        with self.lock:
            if err is not None and self.failed is None:
                self.failed = str(err)
            self.left -= 1
            if self.left == 0:
                self.done.set()


class QueueProducer:
    """One per process (librdkafka's threads do not survive a fork); thread-safe.

    `dimensions(account_id)`: the account's counted dimensions (the Ingestor's short-lived
    cache); the summaries are summed by them, and counting checks they still hold."""

    def __init__(self, settings, ack_timeout: float = ACK_TIMEOUT_S, dimensions=None):
        bootstrap = self.bootstrap = settings.kafka_bootstrap
        self.topic = topics.names(settings).events
        self.ack_timeout = ack_timeout
        self.dimensions = dimensions or (lambda _account_id: [])
        self._p = Producer(
            {
                "bootstrap.servers": bootstrap,
                "enable.idempotence": True,
                "acks": "all",
                # A request's records are packed already and go out together: lingering for
                # other requests' records only delays the 200. Measured here, 12 records of
                # 5 kB: 1.6-1.9 ms to acknowledge at 0 ms linger, 3.6-4.8 at 1, 8.3 at 5
                # (librdkafka still batches what queues while a send is in flight).
                "linger.ms": 0,
                # A request waits for its answer: no Nagle delay on a request's last segment.
                "socket.nagle.disable": True,
                "compression.type": "lz4",
                "queue.buffering.max.messages": 100_000,
                "message.timeout.ms": int(ack_timeout * 1000),
                "error_cb": lambda err: log.warning("kafka producer: %s", err),
            }
        )
        self.pid = os.getpid()
        self._partitions = 0  # the events topic's, read from the brokers on first use
        self._stop = threading.Event()
        # Delivery callbacks run in poll(); one thread serves them for every request thread.
        self._poller = threading.Thread(target=self._poll, name="tally-kafka-poll", daemon=True)
        self._poller.start()

    def _poll(self) -> None:
        while not self._stop.is_set():
            self._p.poll(0.05)

    def partitions(self) -> int:
        """The events topic's partition count (every node hashes by the same count)."""
        if not self._partitions:
            try:
                md = self._p.list_topics(self.topic, timeout=self.ack_timeout)
                found = md.topics.get(self.topic)
                n = len(found.partitions) if found is not None and found.error is None else 0
            except KafkaException as exc:
                raise QueueUnavailable(
                    f"the queue did not answer ({exc.args[0]}); nothing of it was accepted: "
                    "retry later"
                ) from None
            if not n:
                raise QueueUnavailable(
                    f"the queue has no topic {self.topic}; nothing of it was accepted: retry later"
                )
            self._partitions = n
        return self._partitions

    def send(self, account_id: str, messages: list[dict], accepted_at: float | None = None) -> None:
        """Produce the messages (spool form); return once the brokers acknowledged them all,
        else raise QueueUnavailable."""
        if not messages:
            return
        t = round(accepted_at if accepted_at is not None else time.time(), 3)
        values = pack_request(account_id, t, messages, self.partitions(), self.dimensions)
        self._produce(account_id, values, len(messages))

    def send_body(
        self, account_id: str, kind: str, body: bytes, ip: str | None, now: datetime, rid: str
    ) -> int:
        """Validate a /v1 body (InvalidMessage/TooLarge name what is wrong), produce its
        messages, return how many once the brokers acknowledged them all (else
        QueueUnavailable). A batch the fast path accepts goes as sent (split.py, version 2);
        anything else is parsed into spool form (version 1)."""
        t = round(now.timestamp(), 3)
        values = None
        if kind == "batch":
            dims = list(self.dimensions(account_id))
            values = split(account_id, body, ip, now, rid, t, self.partitions(), dims)
        if values is None:
            msgs = wire.parse(body, kind, ip, now, rid)
            self.send(account_id, msgs, t)
            return len(msgs)
        n = sum(records.count_of(v) for v in values.values())
        self._produce(account_id, values, n)
        return n

    def _produce(self, account_id: str, values: dict[int, bytes], n: int) -> None:
        req = _Request(len(values))
        deadline = time.monotonic() + self.ack_timeout
        produce, key = self._p.produce, account_id.encode()
        for part, value in values.items():
            while True:
                try:
                    produce(self.topic, value, key, partition=part, on_delivery=req.ack)
                    break
                except BufferError:  # the local queue is full: let librdkafka drain it
                    if time.monotonic() > deadline:
                        req.ack("the producer's local queue stayed full", None)
                        break
                    time.sleep(0.005)
        if req.left and not req.done.wait(max(0.0, deadline - time.monotonic()) + 1.0):
            req.failed = req.failed or "the brokers did not acknowledge in time"
        if req.failed is not None:
            log.error("kafka did not take a request of %d messages: %s", n, req.failed)
            raise QueueUnavailable(
                f"the queue did not take the request ({req.failed}); nothing of it was "
                "accepted: retry later"
            )

    def close(self) -> None:
        self._stop.set()
        self._poller.join(timeout=2)
        self._p.flush(self.ack_timeout)


def pack_request(
    account_id: str, t: float, messages: list[dict], partitions: int, dimensions
) -> dict[int, bytes]:
    """A request's messages as one version-1 record per partition (records.py), each with
    its messages' dedup keys and counting summary."""
    dims = list(dimensions(account_id))
    parts: dict[int, tuple[list, list, dict]] = {}
    prefix = f"{account_id}\x00"
    for m in messages:
        key = (prefix + m["id"]).encode()
        p = records.partition_of(key, partitions)
        slot = parts.get(p)
        if slot is None:
            slot = parts[p] = ([], [], {})
        slot[0].append(key_hash(key))
        slot[1].append(m)
        add_one(slot[2], dims, m["e"], m["ts"], m["ip"], m["p"])
    return {
        p: records.pack(account_id, t, keys, msgs, records.summary_json(dims, groups))
        for p, (keys, msgs, groups) in parts.items()
    }

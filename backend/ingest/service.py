"""The ingestion service of one process: accept (validate + spool) and drain (aggregate)."""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from datetime import UTC, datetime

from sqlalchemy.orm import configure_mappers

from backend.counters import counter_store
from backend.ingest import geo, records, spool, wire
from backend.ingest.aggregate import Aggregator
from backend.ingest.counting import CountingStage, CountState
from backend.ingest.errors import SpoolUnavailable
from backend.ingest.fold import dimensions_of
from backend.ingest.spool import SpoolWriter
from backend.ingest.summary import Summary
from backend.ingest.validate import normalise
from backend.store.models import Account

log = logging.getLogger("tally.ingest")

# How long a request worker trusts the dimensions it read for an account's summaries.
DIMENSIONS_TTL = 5.0


class Ingestor:
    def __init__(self, runtime, fsync: bool = True):
        self.runtime = runtime
        self.settings = runtime.settings
        self.fsync = fsync
        counters = counter_store(runtime)
        # On SQLite (one machine's store) counting runs ahead of storing, in its own stage
        # (backend/ingest/counting.py); on PostgreSQL a pass counts what it stores.
        self.counting: CountingStage | None = None
        self._counted: CountState | None = None  # what storing may not pass; own connection
        # Kafka mode (backend/queue/): requests produce to Kafka; consumer groups count/store.
        self.kafka = self.settings.queue == "kafka"
        self._producer = None
        if runtime.db.is_sqlite and not self.kafka:
            self.counting = CountingStage(runtime.db, counters, self.settings.spool_dir)
            self._counted = CountState(self.settings.spool_dir)
        self.aggregator = Aggregator(
            runtime.db,
            counters,
            self.settings.spool_dir,
            hooks=tuple(runtime.fold_hooks),
            count=self.counting is None,
            cap=self._counted.offsets if self._counted is not None else None,
        )
        self._writer: SpoolWriter | None = None
        self._writer_pid = 0
        self._writer_lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._dims: dict[str, tuple[list[str], float]] = {}  # account -> (dimensions, when)

    def _spool(self) -> SpoolWriter:
        # One writer per process: a forked worker must never share its parent's file.
        if self._writer is None or self._writer_pid != os.getpid():
            with self._writer_lock:
                if self._writer is None or self._writer_pid != os.getpid():
                    self._writer = SpoolWriter(self.settings.spool_dir, fsync=self.fsync)
                    self._writer_pid = os.getpid()
        return self._writer

    def _queue(self):
        """The process's Kafka producer (Kafka mode), made after any fork, like the spool."""
        if self._producer is None or self._producer.pid != os.getpid():
            with self._writer_lock:
                if self._producer is None or self._producer.pid != os.getpid():
                    from backend.queue.producer import QueueProducer

                    self._producer = QueueProducer(self.settings, dimensions=self._dimensions)
        return self._producer

    def accept_normalised(self, account_id: str, messages: list[dict]) -> None:
        """Spool already-validated messages; returns once they are durable."""
        if messages and self.kafka:
            self._queue().send(account_id, messages)
        elif messages:
            self._append(records.of_messages(account_id, messages))

    def accept_body(self, account_id: str, kind: str, body: bytes, ip: str | None) -> int:
        """Validate a /v1 body (all or nothing; raises InvalidMessage/TooLarge naming what
        is wrong), then spool it as received. Returns once it is durable: how many
        messages it held."""
        now, rid = datetime.now(UTC), uuid.uuid4().hex
        if self.kafka:  # a record per partition, acknowledged by the brokers
            return self._queue().send_body(account_id, kind, body, ip, now, rid)
        # Where counting runs ahead (one process), the request workers (several) sum what
        # they accept for it while they have it in hand (backend/ingest/summary.py).
        summary = Summary(self._dimensions(account_id)) if self.counting is not None else None
        n = wire.check(body, kind, ip, now, rid, summary)
        self._append(
            records.of_body(
                account_id,
                kind,
                body,
                ip,
                now,
                rid,
                summary.to_json() if summary is not None else None,
            )
        )
        return n

    def _dimensions(self, account_id: str) -> list[str]:
        """The account's dimensions, as of at most DIMENSIONS_TTL seconds ago (a summary made
        with others than counting finds is not used: the body is counted instead)."""
        hit = self._dims.get(account_id)
        now = time.monotonic()
        if hit is not None and now - hit[1] < DIMENSIONS_TTL:
            return hit[0]
        with self.runtime.db.session() as s:
            account = s.get(Account, account_id)
            dims = dimensions_of(account) if account is not None else []
        self._dims[account_id] = (dims, now)
        return dims

    def _append(self, payload: bytes) -> None:
        try:
            self._spool().append(payload)
        except OSError as exc:
            log.error("spool write failed: %s", exc)
            raise SpoolUnavailable(
                f"could not store the request durably ({exc.strerror or exc}); nothing of it "
                "was accepted: retry later"
            ) from exc

    def accept(self, account_id: str, messages: list[dict], ip: str | None = None) -> None:
        """Validate raw Segment messages (all or nothing), then spool them durably."""
        now = datetime.now(UTC)
        normalised = [normalise(m, f"messages[{i}]", now, None, ip) for i, m in enumerate(messages)]
        self.accept_normalised(account_id, normalised)

    def warm_up_worker(self) -> None:
        """What a request worker loads as it starts, not in its first request: where its
        requests sum what they accept by country (SQLite's counting stage, Kafka mode), the
        geolocation data; in Kafka mode also the producer (its modules, its connections to
        the brokers, its idempotent producer id). Measured in Kafka mode, one worker, a batch
        of 500: the first request took 239-241 ms when it loaded them, 24-27 ms now."""
        if self.counting is None and not self.kafka:
            return  # PostgreSQL's spool: the storing pass geolocates, not the request
        self.warm_up()
        if self.kafka:
            self._queue()

    def warm_up(self) -> None:
        """Load what the first pass would otherwise load mid-burst: the geolocation data
        (~0.15 s) and the ORM's mapper configuration. Before gc.freeze() in background
        processes, so the collector never scans them either."""
        geo.data()
        configure_mappers()

    def drain(self) -> int:
        """Count and store everything spooled so far; returns how many messages the
        storing passes read."""
        total = 0
        while True:
            counted = self.counting.run_pass(blocking=True) if self.counting else 0
            n = self.aggregator.run_pass(blocking=True)
            total += n
            if n == 0 and counted == 0:
                return total

    # -- background passes inside `tally serve`'s background processes (by flock, one pass
    # of a stage at a time)

    def stages(self) -> dict[str, object]:
        """The passes to run in the background: "store" (the aggregator) and, on SQLite,
        "count" (the counting stage)."""
        found: dict[str, object] = {"store": self.aggregator}
        if self.counting is not None:
            found["count"] = self.counting
        return found

    def start_background(self, stages: tuple[str, ...] = ("count", "store")) -> None:
        if self.kafka:
            return  # nothing spooled: `tally consume counting|storing` fold Kafka's records
        if any(t.is_alive() for t in self._threads):
            return
        self._stop.clear()
        run = self.stages()
        self._threads = [
            threading.Thread(
                target=self._loop, args=(run[name],), name=f"tally-{name}", daemon=True
            )
            for name in stages
            if name in run
        ]
        for t in self._threads:
            t.start()

    def _loop(self, stage) -> None:
        interval = self.settings.flush_interval
        while not self._stop.is_set():
            try:
                n = stage.run_pass(blocking=False)
            except Exception:  # keep going; the failed pass left no trace
                log.exception("%s pass failed; retrying", type(stage).__name__)
                n = 0
            if n == 0 and stage is self.counting:
                self._wait_for_the_spool(interval)
            elif n == 0:
                self._stop.wait(interval)

    def _wait_for_the_spool(self, interval: float) -> None:
        """Sleep until a spool segment grows or appears (looked at every 20 ms: a stat per
        segment), `interval` passes, or close(). A plain sleep of `interval` left a burst
        uncounted for up to half a second before the first pass began."""
        before = spool.fingerprint(self.settings.spool_dir)
        deadline = time.monotonic() + interval
        while not self._stop.wait(0.02):
            if time.monotonic() >= deadline or spool.fingerprint(self.settings.spool_dir) != before:
                return

    def close(self) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(timeout=10)
        if self.counting is not None:
            self.counting.close()
            self._counted.close()
        if self._writer is not None and self._writer_pid == os.getpid():
            self._writer.close()
        if self._producer is not None and self._producer.pid == os.getpid():
            self._producer.close()
            self._producer = None
        self._writer = None


def ingestor(runtime) -> Ingestor:
    """The process's Ingestor for this runtime (built on first use)."""
    return runtime.service("ingest", Ingestor)

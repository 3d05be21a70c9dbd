"""The ingestion service of one process: accept (validate + spool) and drain (aggregate)."""

from __future__ import annotations

import logging
import os
import threading
import uuid
from datetime import UTC, datetime

from backend.counters import counter_store
from backend.ingest import records, wire
from backend.ingest.aggregate import Aggregator
from backend.ingest.errors import SpoolUnavailable
from backend.ingest.spool import SpoolWriter
from backend.ingest.validate import normalise

log = logging.getLogger("tally.ingest")


class Ingestor:
    def __init__(self, runtime, fsync: bool = True):
        self.runtime = runtime
        self.settings = runtime.settings
        self.fsync = fsync
        self.aggregator = Aggregator(
            runtime.db, counter_store(runtime), self.settings.spool_dir, hooks=tuple(runtime.fold_hooks)
        )
        self._writer: SpoolWriter | None = None
        self._writer_pid = 0
        self._writer_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _spool(self) -> SpoolWriter:
        # One writer per process: a forked worker must never share its parent's file.
        if self._writer is None or self._writer_pid != os.getpid():
            with self._writer_lock:
                if self._writer is None or self._writer_pid != os.getpid():
                    self._writer = SpoolWriter(self.settings.spool_dir, fsync=self.fsync)
                    self._writer_pid = os.getpid()
        return self._writer

    def accept_normalised(self, account_id: str, messages: list[dict]) -> None:
        """Spool already-validated messages; returns once they are durable."""
        if messages:
            self._append(records.of_messages(account_id, messages))

    def accept_body(self, account_id: str, kind: str, body: bytes, ip: str | None) -> int:
        """Validate a /v1 body (all or nothing; raises InvalidMessage/TooLarge naming what
        is wrong), then spool it as received. Returns once it is durable: how many
        messages it held."""
        now, rid = datetime.now(UTC), uuid.uuid4().hex
        n = wire.check(body, kind, ip, now, rid)
        self._append(records.of_body(account_id, kind, body, ip, now, rid))
        return n

    def _append(self, payload: bytes) -> None:
        try:
            self._spool().append(payload)
        except OSError as exc:
            log.error("spool write failed: %s", exc)
            raise SpoolUnavailable(
                f"could not store the request durably ({exc.strerror or exc}); nothing of it "
                "was accepted: retry later") from exc

    def accept(self, account_id: str, messages: list[dict], ip: str | None = None) -> None:
        """Validate raw Segment messages (all or nothing), then spool them durably."""
        now = datetime.now(UTC)
        normalised = [normalise(m, f"messages[{i}]", now, None, ip) for i, m in enumerate(messages)]
        self.accept_normalised(account_id, normalised)

    def drain(self) -> int:
        """Fold everything spooled so far; returns how many messages were read."""
        total = 0
        while True:
            n = self.aggregator.run_pass(blocking=True)
            if n == 0:
                return total
            total += n

    # -- background aggregation inside `tally serve` workers (they take turns by flock)

    def start_background(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(target=self._loop, name="tally-aggregator", daemon=True)
            self._thread.start()

    def _loop(self) -> None:
        interval = self.settings.flush_interval
        while not self._stop.is_set():
            try:
                n = self.aggregator.run_pass(blocking=False)
            except Exception:  # keep aggregating; the failed pass left no trace
                log.exception("aggregator pass failed; retrying")
                n = 0
            if n == 0:
                self._stop.wait(interval)

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._writer is not None and self._writer_pid == os.getpid():
            self._writer.close()
        self._writer = None


def ingestor(runtime) -> Ingestor:
    """The process's Ingestor for this runtime (built on first use)."""
    return runtime.service("ingest", Ingestor)

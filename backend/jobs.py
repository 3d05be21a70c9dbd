"""The background jobs process of `tally serve`: the spool aggregator (and, as capabilities
land, their schedulers). It runs beside the gunicorn workers in its own process, so
aggregation never holds a request worker's GIL."""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import signal
import threading

from backend.config import Settings

log = logging.getLogger("tally.jobs")


def run_jobs(settings: Settings, renderers) -> None:
    """Process entry point: run every background job until SIGTERM."""
    from backend.flows.runner import run_forever as run_flows
    from backend.ingest import ingestor
    from backend.reports.mailing import run_forever as run_reports
    from backend.runtime import Runtime
    from backend.server import freeze_startup_objects

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    # Acknowledging requests is latency-bound; aggregation is throughput-bound and catches
    # up after a burst. A lower CPU priority lets a burst be acknowledged at full speed.
    os.nice(10)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    rt = Runtime(settings, migrate=False)
    renderers(rt)
    ing = ingestor(rt)
    freeze_startup_objects()
    ing.start_background()
    threads = [
        threading.Thread(target=run_flows, args=(rt, stop), name="tally-flows", daemon=True),
        threading.Thread(target=run_reports, args=(rt, stop), name="tally-reports", daemon=True),
    ]
    for t in threads:
        t.start()
    log.info("background jobs running: aggregator, flow scheduler, report e-mails")
    stop.wait()
    for t in threads:
        t.join(timeout=10)
    rt.close()


class JobsSupervisor:
    """Keeps one jobs process alive from the gunicorn master; restarts it if it dies."""

    def __init__(self, settings: Settings, renderers):
        self.settings = settings
        self.renderers = renderers  # app.register_renderers: lends the UI's charts to reports
        self._ctx = mp.get_context("spawn")  # a fresh interpreter: nothing inherited by fork
        self._proc = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._spawn()
        self._thread = threading.Thread(target=self._watch, name="tally-jobs-watch", daemon=True)
        self._thread.start()

    def _spawn(self) -> None:
        self._proc = self._ctx.Process(
            target=run_jobs, args=(self.settings, self.renderers), name="tally-jobs"
        )
        self._proc.start()

    def _watch(self) -> None:
        while not self._stop.wait(2.0):
            if self._proc is not None and not self._proc.is_alive():
                log.warning("jobs process exited (%s); restarting it", self._proc.exitcode)
                self._spawn()

    def stop(self) -> None:
        self._stop.set()
        if self._proc is not None and self._proc.is_alive():
            self._proc.terminate()
            self._proc.join(timeout=15)

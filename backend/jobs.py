"""The background jobs process of `tally serve`: the spool aggregator (and, as capabilities
land, their schedulers). It runs beside the gunicorn workers in its own process, so
aggregation never holds a request worker's GIL."""

from __future__ import annotations

import logging
import multiprocessing as mp
import multiprocessing.connection as mp_connection
import os
import signal
import threading

from backend.config import Settings

log = logging.getLogger("tally.jobs")


def _background_process(settings: Settings, niceness: int, renderers=None):
    """What every background process starts with: logging, its CPU priority, SIGTERM and
    SIGINT setting `stop`, a runtime and its warmed-up ingestor, start-up objects frozen.
    Returns (runtime, ingestor, stop)."""
    from backend.ingest import ingestor
    from backend.runtime import Runtime, freeze_startup_objects

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    os.nice(niceness)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    rt = Runtime(settings, migrate=False)
    if renderers is not None:
        renderers(rt)
    ing = ingestor(rt)
    ing.warm_up()
    freeze_startup_objects()
    return rt, ing, stop


def run_jobs(settings: Settings, renderers) -> None:
    """Process entry point: run every background job until SIGTERM."""
    from backend.campaigns.runner import run_forever as run_campaigns
    from backend.email.listener import run_forever as run_bounces
    from backend.flows.runner import run_forever as run_flows
    from backend.lists.imports import run_forever as run_list_imports
    from backend.lists.outbox import run_forever as run_list_outbox
    from backend.predictions.service import run_forever as run_predictions
    from backend.reports.mailing import run_forever as run_reports
    from backend.segments.live import run_forever as run_segments

    # Acknowledging requests is latency-bound; aggregation is throughput-bound and catches
    # up after a burst. A lower CPU priority lets a burst be acknowledged at full speed.
    rt, ing, stop = _background_process(settings, 10, renderers)
    ing.start_background(("store",) if counts_ahead(settings) else ("count", "store"))
    threads = [
        threading.Thread(target=run_flows, args=(rt, stop), name="tally-flows", daemon=True),
        threading.Thread(target=run_reports, args=(rt, stop), name="tally-reports", daemon=True),
        # Campaigns: start what is due, send, resume after a crash (docs/campaigns.md).
        threading.Thread(
            target=run_campaigns, args=(rt, stop), name="tally-campaigns", daemon=True
        ),
        # The inbound SMTP listener for bounces and complaints, when TALLY_BOUNCE_SMTP is set.
        threading.Thread(target=run_bounces, args=(rt, stop), name="tally-bounces", daemon=True),
        threading.Thread(target=run_segments, args=(rt, stop), name="tally-segments", daemon=True),
        # Nightly CLV fits and on-demand refreshes (docs/predictions.md).
        threading.Thread(
            target=run_predictions, args=(rt, stop), name="tally-predictions", daemon=True
        ),
        # CSV imports into lists whose worker thread stopped (a restart) resume here.
        threading.Thread(
            target=run_list_imports, args=(rt, stop), name="tally-list-imports", daemon=True
        ),
        # List joins' events their writer did not spool (a crash): docs/lists.md, the outbox.
        threading.Thread(
            target=run_list_outbox, args=(rt, stop), name="tally-list-outbox", daemon=True
        ),
    ]
    for t in threads:
        t.start()
    log.info("background jobs running: aggregator, flow scheduler, report e-mails")
    stop.wait()
    for t in threads:
        t.join(timeout=10)
    rt.close()


def counts_ahead(settings: Settings) -> bool:
    """Whether counting runs ahead of storing in a process of its own: on SQLite
    (backend/ingest/counting.py)."""
    return settings.database_url.startswith("sqlite")


def run_counting(settings: Settings) -> None:
    """Process entry point: the counting stage's passes until SIGTERM. Its own process, so
    counting takes a core of its own while the jobs process stores."""
    # Below the request workers (acknowledging is latency-bound), above storing: the
    # dashboards read what is counted.
    rt, ing, stop = _background_process(settings, 5)
    ing.start_background(("count",))
    log.info("counting ahead of storing")
    stop.wait()
    ing.close()
    rt.close()


def _exited(proc) -> bool:
    """Whether a child process has ended, by its sentinel (a pipe its end closes).
    Process.is_alive() asks waitpid, and gunicorn's master reaps every child that exits,
    ours too: is_alive() then said True for ever, and a dead process was never restarted."""
    return bool(mp_connection.wait([proc.sentinel], timeout=0))


class JobsSupervisor:
    """Keeps the background processes alive from the gunicorn master (the jobs process and,
    on SQLite, the counting process); restarts one that dies."""

    def __init__(self, settings: Settings, renderers):
        self.settings = settings
        self.renderers = renderers  # app.register_renderers: lends the UI's charts to reports
        self._ctx = mp.get_context("spawn")  # a fresh interpreter: nothing inherited by fork
        self._specs: list[tuple] = []
        self._procs: list = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """From the master's main thread, once gunicorn has set its signal handlers."""
        self._stop_restarting_on_shutdown_signals()
        self._spawn()
        self._thread = threading.Thread(target=self._watch, name="tally-jobs-watch", daemon=True)
        self._thread.start()

    def _spawn(self) -> None:
        self._specs = [(run_jobs, (self.settings, self.renderers), "tally-jobs")]
        if counts_ahead(self.settings):
            self._specs.append((run_counting, (self.settings,), "tally-counting"))
        self._procs = [self._start(spec) for spec in self._specs]

    def _start(self, spec: tuple):
        target, args, name = spec
        proc = self._ctx.Process(target=target, args=args, name=name)
        proc.start()
        return proc

    def _stop_restarting_on_shutdown_signals(self) -> None:
        """A shutdown signal (SIGTERM from systemd or `kill`, Ctrl-C's SIGINT, SIGQUIT)
        often reaches our processes too, and they stop within a second, long before
        gunicorn's graceful stop ends and calls stop(): without this, the watcher saw them
        exit and restarted them. Gunicorn's own handler runs next, as before."""
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT):
            previous = signal.getsignal(sig)

            def handler(signum, frame, previous=previous):
                self._stop.set()
                if callable(previous):
                    previous(signum, frame)
                elif previous == signal.SIG_DFL:  # no one else's: the default, as before
                    signal.signal(signum, signal.SIG_DFL)
                    os.kill(os.getpid(), signum)

            signal.signal(sig, handler)

    def _watch(self) -> None:
        while not self._stop.wait(2.0):
            for i, proc in enumerate(self._procs):
                if _exited(proc) and not self._stop.is_set():
                    log.warning("%s process exited; restarting it", proc.name)
                    self._procs[i] = self._start(self._specs[i])

    def stop(self) -> None:
        self._stop.set()
        for proc in self._procs:
            if proc.is_alive():
                proc.terminate()
        for proc in self._procs:
            proc.join(timeout=15)

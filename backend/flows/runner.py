"""Wire the flow engine to a runtime: SMTP from settings, events back through ingestion."""

from __future__ import annotations

import logging
import threading

from backend.flows.actions import Actions
from backend.flows.engine import FlowEngine
from backend.flows.mailer import FlowMail

log = logging.getLogger("tally.flows")


def flow_engine(runtime, clock=None) -> FlowEngine:
    from backend.ingest import ingestor

    ing = ingestor(runtime)
    actions = Actions(FlowMail(runtime.settings), emit=lambda acc, msgs: ing.accept(acc, msgs))
    return FlowEngine(runtime.db, actions, **({"clock": clock} if clock else {}))


def run_forever(runtime, stop: threading.Event, interval: float = 1.0) -> None:
    """The scheduler loop of the jobs process (one per deployment: see backend/jobs.py)."""
    engine = flow_engine(runtime)
    while not stop.is_set():
        try:
            n = engine.run_due()
        except Exception:
            log.exception("flow scheduler pass failed; retrying")
            n = 0
        if n == 0:
            stop.wait(interval)

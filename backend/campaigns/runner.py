"""Wire the sender to a runtime: the SMTP pool from TALLY_SMTP_URL, compose from the e-mail
layer, `Received Email` back through ingestion. `run_forever` is the jobs process's thread
(backend/jobs.py); `python -m backend.campaigns.runner` runs the sender alone (tests kill it)."""

from __future__ import annotations

import logging
import os
import signal
import threading

from backend.campaigns.limits import Limits, batch_for_rate
from backend.campaigns.mail import CampaignMail
from backend.campaigns.sender import Sender

log = logging.getLogger("tally.campaigns")


def limits_from(settings) -> Limits:
    return Limits(
        rate=settings.campaign_rate,
        per_domain=settings.campaign_domain_rate,
        batch=batch_for_rate(settings.campaign_rate),
        processes=min(2, os.cpu_count() or 1),
    )


def build_sender(runtime, limits: Limits | None = None, clock=None) -> Sender:
    from backend.email.smtp_pool import SmtpPool
    from backend.ingest import ingestor

    settings = runtime.settings
    limits = limits or limits_from(settings)
    ing = ingestor(runtime)
    mail = CampaignMail(settings, emit=lambda acc, msgs: ing.accept(acc, msgs))

    def new_pool():
        return SmtpPool(settings.smtp_url, size=limits.workers)

    pool = new_pool() if settings.smtp_url else None
    kwargs = {"clock": clock} if clock else {}
    return Sender(
        runtime.db,
        pool,
        mail.prepare,
        settings.var_dir / "campaigns",
        on_sent=mail.on_sent,
        limits=limits,
        pool_factory=new_pool if settings.smtp_url else None,
        **kwargs,
    )


def run_forever(runtime, stop: threading.Event, interval: float = 1.0) -> None:
    """The campaign sender loop of the jobs process (one per deployment)."""
    if not runtime.settings.smtp_url:
        log.warning("TALLY_SMTP_URL is not set: campaigns will not be sent")
        return
    sender = build_sender(runtime)
    try:
        while not stop.is_set():
            try:
                n = sender.tick()
            except Exception:
                log.exception("campaign sender pass failed; retrying")
                n = 0
            if n == 0:
                stop.wait(interval)
    finally:
        sender.close()


def main() -> None:
    from backend.config import Settings
    from backend.runtime import Runtime

    logging.basicConfig(level=logging.INFO)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    rt = Runtime(Settings.from_env(), migrate=False)
    try:
        run_forever(rt, stop, interval=0.2)
    finally:
        rt.close()


if __name__ == "__main__":
    main()

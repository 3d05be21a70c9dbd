"""The inbound SMTP listener for bounces and complaints (aiosmtpd), run by `tally serve`'s
jobs process when TALLY_BOUNCE_SMTP is set. It accepts what it is sent, acts on delivery
failures and complaints, logs and ignores the rest; mail over MAX_BYTES is refused (552).
A report it cannot store (the database down) gets 451, so the sender tries again."""

from __future__ import annotations

import asyncio
import logging
import threading

from backend.email.bounces import apply, parse, target_of
from backend.email.tracking import signer_for

log = logging.getLogger("tally.email.listener")
MAX_BYTES = 2 * 1024 * 1024  # a DSN with the original attached; nothing legitimate is bigger


class BounceHandler:
    def __init__(self, runtime, emit=None):
        self.runtime = runtime
        self._emit = emit

    def emit(self, account_id: str, msgs: list[dict]) -> None:
        if self._emit is not None:
            return self._emit(account_id, msgs)
        from backend.ingest import ingestor

        ingestor(self.runtime).accept(account_id, msgs)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's API)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            None, self.process, list(envelope.rcpt_tos), bytes(envelope.content or b"")
        )

    def process(self, rcpts: list[str], raw: bytes) -> str:
        try:
            report = parse(raw)
        except Exception:  # any bytes at all reach this door: garbage is ignored
            log.info("inbound mail not understood; ignored", exc_info=True)
            return "250 2.0.0 OK"
        if report is None:
            log.info("inbound mail to %s is no bounce or complaint; ignored", rcpts[:3])
            return "250 2.0.0 OK"
        settings = self.runtime.settings
        target = target_of(
            signer_for(settings.require_secret()), rcpts, report, settings.bounce_domain
        )
        if target is None:
            log.info("%s report for no recipient of ours (%s); ignored", report.kind, rcpts[:3])
            return "250 2.0.0 OK"
        pending: list = []
        try:
            with self.runtime.db.session() as s:
                what = apply(s, target, report, lambda a, m: pending.append((a, m)))
            for account_id, msgs in pending:
                self.emit(account_id, msgs)
        except Exception:
            log.exception("could not record a %s report; the sender will retry", report.kind)
            return "451 4.3.0 cannot store the report now; try again later"
        log.info("%s report for profile %s: %s", report.kind, target.profile_id, what)
        return "250 2.0.0 OK"


def controller(runtime, host: str, port: int, emit=None):
    from aiosmtpd.controller import Controller

    return Controller(
        BounceHandler(runtime, emit),
        hostname=host,
        port=port,
        data_size_limit=MAX_BYTES,
        ident="Tally bounce listener",
    )


def run_forever(runtime, stop: threading.Event) -> None:
    """A thread of the jobs process (backend/jobs.py): the listener until `stop`."""
    where = runtime.settings.bounce_smtp
    if not where:
        return
    host, _, port = where.rpartition(":")
    ctl = controller(runtime, host, int(port))
    ctl.start()
    log.info("bounce listener on %s", where)
    stop.wait()
    ctl.stop()

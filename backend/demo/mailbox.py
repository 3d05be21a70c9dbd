"""The demo's mailbox: a real SMTP server on loopback that keeps every message as an .eml
file under var/demo-mail/, so flows and double opt-in send real e-mail in a demo without
a mail provider (open the files in any mail client)."""

from __future__ import annotations

import logging
import time
from pathlib import Path


class _Keep:
    def __init__(self, folder: Path):
        self.folder = folder

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's API)
        name = f"{time.strftime('%Y%m%d-%H%M%S')}-{time.time_ns() % 1_000_000:06d}.eml"
        (self.folder / name).write_bytes(envelope.content)
        return "250 Message kept"


def start_mailbox(folder: Path, host: str = "127.0.0.1", port: int = 8025):
    """Start the SMTP server in a thread; returns (controller, smtp_url)."""
    from aiosmtpd.controller import Controller

    folder.mkdir(parents=True, exist_ok=True)
    # aiosmtpd logs every connection and command at INFO ("mail.log"): in `make demo` that
    # buried the few lines worth reading (login, addresses, where mail lands). Problems
    # still show, as warnings.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    controller = Controller(_Keep(folder), hostname=host, port=port)
    controller.start()
    return controller, f"smtp://{host}:{port}?from=Demo%20Store%20%3Cshop@demo.tally.local%3E"

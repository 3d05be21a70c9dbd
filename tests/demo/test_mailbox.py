"""The demo's mailbox: a real SMTP server that keeps each message as a file, quietly."""

from __future__ import annotations

import logging
import smtplib

from backend.demo.mailbox import start_mailbox
from tests.live_server import free_port


def test_mail_lands_as_a_file_without_the_smtp_servers_chatter(tmp_path, caplog):
    caplog.set_level(logging.INFO)
    port = free_port()
    controller, url = start_mailbox(tmp_path / "mail", port=port)
    try:
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            smtp.sendmail("shop@x.test", ["ada@x.test"], "Subject: Hello\r\n\r\nHi Ada")
    finally:
        controller.stop()
    (kept,) = (tmp_path / "mail").iterdir()
    assert b"Hi Ada" in kept.read_bytes()
    assert url.startswith(f"smtp://127.0.0.1:{port}")
    # `make demo` prints its few lines (login, addresses, where mail lands): aiosmtpd's INFO
    # lines about each connection and command must not bury them.
    assert [r.getMessage() for r in caplog.records if r.name.startswith("mail.log")] == []

"""A real SMTP server (aiosmtpd) on loopback, and an app that sends its mail there."""

from __future__ import annotations

import email
from email import policy

import pytest

from tests.conftest import make_settings
from tests.live_server import free_port


class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.url = ""

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's API)
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


@pytest.fixture
def inbox():
    from aiosmtpd.controller import Controller

    box = Inbox()
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    box.url = f"smtp://127.0.0.1:{port}?from=shop@acme.test"
    yield box
    controller.stop()


@pytest.fixture
def settings(tmp_path, db_url, inbox):
    """Overrides the shared fixture: the app of these tests mails through `inbox`."""
    return make_settings(tmp_path, db_url, TALLY_SMTP_URL=inbox.url)

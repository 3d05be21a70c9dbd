"""A real SMTP server (aiosmtpd) on loopback that keeps what it receives."""

from __future__ import annotations

import pytest

from tests.smtp import running_inbox


@pytest.fixture
def smtp_server():
    with running_inbox() as inbox:
        yield inbox

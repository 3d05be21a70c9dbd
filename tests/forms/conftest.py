"""A real SMTP server (aiosmtpd) on loopback, and an app that sends its mail there."""

from __future__ import annotations

import pytest

from tests.conftest import make_settings
from tests.smtp import running_inbox


@pytest.fixture
def inbox():
    with running_inbox() as box:
        yield box


@pytest.fixture
def settings(tmp_path, db_url, inbox):
    """Overrides the shared fixture: the app of these tests mails through `inbox`."""
    return make_settings(tmp_path, db_url, TALLY_SMTP_URL=inbox.url)

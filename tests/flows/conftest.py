"""A real SMTP server (aiosmtpd) on loopback that keeps what it receives, and the app with
its SMTP URL pointing there."""

from __future__ import annotations

import pytest

from tests.smtp import running_inbox


@pytest.fixture
def smtp_server():
    with running_inbox() as inbox:
        yield inbox


@pytest.fixture
def flows_app(tmp_path, db_url, smtp_server):
    from app import create_app
    from tests.conftest import make_settings

    app = create_app(make_settings(tmp_path, db_url, TALLY_SMTP_URL=smtp_server.url), ui=False)
    yield app
    app.extensions["tally"].close()

"""Browser tests: headless Debian Chromium driven by dash_duo, against ONE live server.

Starting Chromium costs seconds, starting the app less, so every browser test of the session
shares one app (SQLite in a temporary directory) served by werkzeug in a thread; each test
gets a fresh browser (dash_duo) with its own cookies.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from selenium.webdriver.chrome.options import Options
from werkzeug.serving import make_server

from backend.config import Settings

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "correct horse battery"


def pytest_setup_options() -> Options:
    """dash's hook: the Chromium options for every dash_duo browser."""
    options = Options()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1400,900",
    ):
        options.add_argument(arg)
    return options


@dataclass(frozen=True)
class LiveApp:
    url: str
    app: object
    account_id: str
    account_name: str
    email: str
    password: str
    private_key: str


@pytest.fixture(scope="session")
def live_app(tmp_path_factory) -> Iterator[LiveApp]:
    """The app under test, served once for the whole session."""
    from app import create_app
    from backend.accounts.service import create_account

    tmp = tmp_path_factory.mktemp("browser")
    settings = Settings.from_env(
        {
            "TALLY_VAR_DIR": str(tmp / "var"),
            "TALLY_DATABASE_URL": f"sqlite:///{tmp / 'tally.sqlite3'}",
            "TALLY_SECRET_KEY": "browser-test-secret-0123456789abcdef",
        },
        env_file=None,
    )
    flask_app = create_app(settings)
    runtime = flask_app.extensions["tally"]
    with runtime.db.session() as s:
        acc = create_account(s, "Acme Store", email="owner@acme.test", password=PASSWORD)
    server = make_server("127.0.0.1", 0, flask_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-app", daemon=True)
    thread.start()
    try:
        yield LiveApp(
            url=f"http://127.0.0.1:{server.server_port}",
            app=flask_app,
            account_id=acc.id,
            account_name=acc.name,
            email=acc.login["email"],
            password=PASSWORD,
            private_key=acc.private_key,
        )
    finally:
        server.shutdown()
        thread.join(10)
        runtime.close()

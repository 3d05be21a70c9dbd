"""Browser tests: headless Debian Chromium driven by dash_duo, against ONE live server.

Starting Chromium costs seconds, starting the app less, so every browser test of the session
shares one app (SQLite in a temporary directory) served by werkzeug in a thread, and one
Chromium: each test gets it back as a new visitor would (a fresh tab, no cookies, no storage,
the default window, its own download folder). That saves ~1 s of start and stop a test.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from dash.testing.composite import DashComposite
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.options import Options
from werkzeug.serving import make_server

from backend.config import Settings

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "correct horse battery"
WINDOW = (1400, 900)


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
        f"--window-size={WINDOW[0]},{WINDOW[1]}",
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


class SharedChromium:
    """The session's one browser, handed to each test reset (see the module's docstring);
    started again should a test leave it broken."""

    def __init__(self, config, origins: list[str]):
        self.config, self.origins = config, origins
        self.duo: DashComposite | None = None

    def _start(self, download: str) -> DashComposite:
        config = self.config
        return DashComposite(
            server=None,
            browser=config.getoption("webdriver"),
            headless=config.getoption("headless"),
            options=config.hook.pytest_setup_options(),
            download_path=download,
            percy_run=False,
        )

    def fresh(self, download: str) -> DashComposite:
        if self.duo is not None:
            try:
                self._reset(self.duo, download)
                return self.duo
            except WebDriverException:
                self.quit()
        self.duo = self._start(download)
        self._reset(self.duo, download)
        return self.duo

    def _reset(self, duo: DashComposite, download: str) -> None:
        d = duo.driver
        old = d.window_handles
        d.switch_to.new_window("tab")  # a new tab: no sessionStorage, no emulation left over
        fresh = d.current_window_handle
        for handle in old:
            d.switch_to.window(handle)
            d.close()
        d.switch_to.window(fresh)
        d.execute_cdp_cmd("Network.clearBrowserCookies", {})
        for origin in self.origins:
            d.execute_cdp_cmd(
                "Storage.clearDataForOrigin", {"origin": origin, "storageTypes": "all"}
            )
        d.set_window_size(*WINDOW)
        d.execute_cdp_cmd(
            "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": download}
        )
        d.get_log("browser")  # reading the console's log empties it: the last test's is gone
        duo._download_path, duo._last_ts, duo._url, duo._window_idx = download, 0, "", 0

    def quit(self) -> None:
        if self.duo is not None:
            try:
                self.duo.driver.quit()
            except WebDriverException:
                pass
            self.duo = None


@pytest.fixture(scope="session")
def chromium(request, live_app) -> Iterator[SharedChromium]:
    browser = SharedChromium(request.config, [live_app.url])
    yield browser
    browser.quit()


@pytest.fixture
def dash_duo(chromium, tmp_path) -> DashComposite:
    """dash's fixture of that name, on the shared browser."""
    download = tmp_path / "download"
    download.mkdir()
    return chromium.fresh(str(download))

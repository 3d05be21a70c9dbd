"""The storefront side of browser tests: a shop account publishing forms, a shop page
served from another origin (its own port) under a strict nonce CSP with the embed snippet,
and what to look for in it. Fixtures here are imported by the storefront test modules."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import pytest
import requests
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from backend.accounts.service import create_account
from backend.demo.storefront import storefront_server
from backend.forms import service
from backend.forms.starters import template


@dataclass
class Shop:
    live_app: object
    account_id: str
    public_key: str
    private_key: str

    @property
    def runtime(self):
        return self.live_app.app.extensions["tally"]

    def publish(self, body: dict) -> int:
        with self.runtime.db.session() as s:
            form = service.create(s, self.account_id, body)
            s.flush()
            service.publish(s, self.account_id, form.id)
            return form.id

    def api(self, path: str) -> requests.Response:
        return requests.get(
            self.live_app.url + path,
            timeout=10,
            headers={"Authorization": f"Bearer {self.private_key}"},
        )


@pytest.fixture
def shop(live_app, request):
    with live_app.app.extensions["tally"].db.session() as s:
        acc = create_account(s, f"Store {request.node.name}"[:200])
    return Shop(live_app, acc.id, acc.public_key, acc.private_key)


@pytest.fixture
def storefront(shop):
    """start(embed_form_id=None, tally_url=None) -> the URL of a shop page on its own port
    (another origin) whose snippet loads Tally from tally_url (the live app's by default)."""
    servers = []

    def start(embed_form_id: int | None = None, tally_url: str | None = None) -> str:
        server = storefront_server(
            tally_url or shop.live_app.url, shop.public_key, embed_form_id=embed_form_id
        )
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_port}/"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def hosts(driver, form_id: int):
    return driver.find_elements(By.CSS_SELECTOR, f'[data-tally-host="{form_id}"]')


def shadow(driver, form_id: int):
    return hosts(driver, form_id)[0].shadow_root


def wait_host(driver, form_id: int, timeout: float = 10):
    WebDriverWait(driver, timeout, poll_frequency=0.05).until(lambda d: hosts(d, form_id))
    return shadow(driver, form_id)


def no_csp_errors(dash_duo) -> None:
    logs = dash_duo.driver.get_log("browser")
    assert not [e for e in logs if "Content Security Policy" in e["message"]], logs


def popup(delay: int = 0, **targeting) -> dict:
    body = template("newsletter_popup")
    body["targeting"] = {"delay_seconds": delay, **targeting}
    return body


def sentinel() -> dict:
    """An inline form with no targeting: once it is drawn, embed.js has run, fetched the
    live forms and applied them, so an absent popup is absent for its own reasons."""
    return template("footer_embed")

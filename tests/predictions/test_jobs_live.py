"""`tally serve`'s jobs process fits predictions by itself (an account never fitted is due at
once, as nightly), with real worker processes. Refreshes go through the same pass
(service.run_pending), tested without a server in test_predictions_api.py."""

from __future__ import annotations

import time

import requests

from backend.accounts.service import create_account
from backend.store.db import Database
from tests.live_server import LiveServer, live_settings
from tests.predictions.conftest import add_orders, simulated_orders


def _wait(url: str, headers: dict, done, timeout: float = 120) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        body = requests.get(url, headers=headers, timeout=10).json()
        if done(body) or time.monotonic() > deadline:
            return body
        time.sleep(0.5)


def test_the_jobs_process_fits_an_account_by_itself(tmp_path):
    env, settings = live_settings(tmp_path)
    db = Database(settings.database_url)
    with db.session() as s:
        acc = create_account(s, "Live Shop")
    ids = add_orders(db, acc.id, simulated_orders(600, 400, seed=9))
    db.dispose()
    server = LiveServer(env, workers=1).start()
    try:
        url = server.url + "/api/predictions"
        auth = {"Authorization": f"Bearer {acc.private_key}"}
        first = _wait(url, auth, lambda b: b["status"] == "ready")
        assert first["status"] == "ready", first
        assert first["customers"] == 600

        pid = next(iter(ids.values()))
        profile = requests.get(f"{server.url}/api/profiles/{pid}", headers=auth, timeout=10)
        assert profile.json()["predictions"]["expected_orders"] > 0
    finally:
        server.stop()

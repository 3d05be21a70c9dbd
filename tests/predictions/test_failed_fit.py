"""A fit that fails keeps the last good predictions, says what went wrong and what to do, and
never blocks the next refresh: bad revenue the gates let through, a numerical failure in the
model, and a jobs process killed in the middle of a fit (a real process, really killed)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest

from backend.predictions import read, service
from backend.store.db import utcnow
from backend.store.prediction_models import PredictionFit
from tests.predictions.conftest import add_orders

ROOT = Path(__file__).resolve().parents[2]
# Store-independent paths run on SQLite only (the test budget); the kill and the bad revenue
# run on both stores.
SQLITE_ONLY = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def auth(account) -> dict:
    return {"Authorization": f"Bearer {account.private_key}"}


def status(client, account) -> dict:
    return client.get("/api/predictions", headers=auth(account)).get_json()


def snapshot(runtime, account) -> list[dict]:
    with runtime.db.session() as s:
        return read.top_customers(s, account.id, limit=50)


def fitted(client, runtime, account) -> tuple[dict, list[dict]]:
    assert service.fit_account(runtime.db, account.id) == "ready"
    return status(client, account), snapshot(runtime, account)


def refresh_and_run(client, runtime, account) -> dict:
    assert client.post("/api/predictions/refresh", headers=auth(account)).status_code == 202
    assert account.id in service.run_pending(runtime.db)
    return status(client, account)


def test_revenue_too_large_to_add_up_fails_the_fit_and_keeps_the_last_one(
    client, runtime, account, store_with_history
):
    good, rows = fitted(client, runtime, account)
    # A placeholder revenue the gates let through: it passes as a number, but adds up to inf.
    when = utcnow() - timedelta(days=3)
    ids = add_orders(
        runtime.db,
        account.id,
        [("whale@shop.test", when - timedelta(days=d), 1e308) for d in (0, 20, 40)],
    )
    body = refresh_and_run(client, runtime, account)
    assert body["status"] == "ready" and body["progress"] is None
    assert body["fitted_at"] == good["fitted_at"] and body["model"] == good["model"]
    err = body["error"]
    assert err.startswith("The fit failed while checking the orders: 1 customers' order revenue")
    assert f"#{ids['whale@shop.test']}" in err and "Press Refresh" not in err
    assert "press refresh in settings › predictions to fit again" in err.lower()
    assert "stay in place" in err
    assert snapshot(runtime, account) == rows  # the last good predictions, untouched

    # Fixed (the events deleted), a refresh runs again and clears the error.
    from sqlalchemy import delete

    from backend.store.models import Event

    with runtime.db.session() as s:
        s.execute(delete(Event).where(Event.profile_id == ids["whale@shop.test"]))
    again = refresh_and_run(client, runtime, account)
    assert again["status"] == "ready" and again["error"] is None


@SQLITE_ONLY
def test_a_numerical_failure_in_the_model_keeps_the_last_predictions(
    client, runtime, account, store_with_history, monkeypatch
):
    good, rows = fitted(client, runtime, account)

    def diverges(*_args, **_kw):
        raise FloatingPointError("overflow in the likelihood's gradient")

    # The optimiser's failure, as scipy raises it under np.errstate(all="raise").
    monkeypatch.setattr("backend.predictions.score.GammaGamma.fit", diverges)
    body = refresh_and_run(client, runtime, account)
    assert body["status"] == "ready" and body["fitted_at"] == good["fitted_at"]
    assert body["error"].startswith(
        "The fit failed while fitting the purchase model (BG/NBD) and the spend model "
        "(Gamma-Gamma): FloatingPointError: overflow in the likelihood's gradient."
    )
    assert "the jobs process's log has the details" in body["error"]
    assert snapshot(runtime, account) == rows
    monkeypatch.undo()
    assert refresh_and_run(client, runtime, account)["error"] is None


@SQLITE_ONLY
def test_non_finite_figures_are_never_written(
    client, runtime, account, store_with_history, monkeypatch
):
    good, rows = fitted(client, runtime, account)
    real = service.score

    def nan_for_one(*args, **kw):
        out = real(*args, **kw)
        out.expected_spend[0] = np.nan  # what an overflow in Gamma-Gamma's spend gives
        return out

    monkeypatch.setattr(service, "score", nan_for_one)
    body = refresh_and_run(client, runtime, account)
    assert "the model found no usable solution (expected spend not finite)" in body["error"]
    assert body["fitted_at"] == good["fitted_at"]
    assert snapshot(runtime, account) == rows


@SQLITE_ONLY
def test_a_first_fit_that_fails_says_nothing_is_shown(client, runtime, account, store_with_history):
    add_orders(runtime.db, account.id, [("whale@shop.test", utcnow(), 1e308)] * 2)
    body = refresh_and_run(client, runtime, account)
    assert body["status"] == "not_fitted"
    assert "No predictions are shown until a fit succeeds." in body["error"]
    with runtime.db.session() as s:
        assert read.count(s, account.id) == 0


CHILD = """
import sys, time
from backend.predictions import service
from backend.store.db import Database

real = service.fit

def long_fit(*args, **kw):  # a large account's fit: minutes in this step
    model = real(*args, **kw)
    time.sleep(600)
    return model

service.fit = long_fit
service.fit_account(Database(sys.argv[1]), sys.argv[2])
"""


def test_a_jobs_process_killed_mid_fit_leaves_no_fitting_state(
    client, runtime, account, store_with_history, settings
):
    good, rows = fitted(client, runtime, account)
    assert client.post("/api/predictions/refresh", headers=auth(account)).status_code == 202
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, settings.database_url, account.id],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        deadline = time.monotonic() + 60
        while (body := status(client, account))["progress"] is None or body["progress"]["step"] in (
            "queued",
            "reading orders",
            "checking the orders",
        ):
            assert child.poll() is None and time.monotonic() < deadline, body
            time.sleep(0.2)
        # Alive and working: seen as fitting, and a refresh is refused.
        assert body["status"] == "fitting" and body["progress"]["step"].startswith("fitting")
        assert client.post("/api/predictions/refresh", headers=auth(account)).status_code == 409
        with runtime.db.session() as s:
            assert s.get(PredictionFit, account.id).worker.endswith(f":{child.pid}")
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(30)

    body = status(client, account)
    assert body["status"] == "ready" and body["progress"] is None
    assert body["fitted_at"] == good["fitted_at"]
    assert body["error"].startswith(
        "The fit stopped while fitting the purchase model (BG/NBD) and the spend model "
        "(Gamma-Gamma) (started "
    )
    assert "the background jobs process ended before it finished" in body["error"]
    assert snapshot(runtime, account) == rows
    after = refresh_and_run(client, runtime, account)
    assert after["status"] == "ready" and after["error"] is None


@SQLITE_ONLY
def test_a_fit_on_another_host_is_dead_only_when_its_heartbeat_stops(runtime, account):
    now = utcnow()
    with runtime.db.session() as s:
        s.add(
            PredictionFit(
                account_id=account.id,
                status="fitting",
                step="scoring customers",
                worker="another-host:4242",
                started_at=now - timedelta(minutes=10),
                updated_at=now - timedelta(seconds=20),  # heartbeats every 10 s
            )
        )
    assert service.reap(runtime.db, account.id, now) == []
    later = now + service.STALE_FIT
    assert service.reap(runtime.db, account.id, later) == [account.id]
    with runtime.db.session() as s:
        f = s.get(PredictionFit, account.id)
        assert (f.status, f.worker, f.requested_at) == ("not_fitted", None, None)
        assert f.error.startswith("The fit stopped while scoring customers")

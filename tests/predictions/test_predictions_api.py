"""GET /api/predictions, POST /api/predictions/refresh and the `predictions` of a profile,
with the fit run the way the jobs process runs it (service.run_pending), on both stores."""

from __future__ import annotations

from datetime import timedelta

import pytest

from backend.predictions import read, service
from backend.store.db import utcnow
from backend.store.models import Profile
from tests.predictions.conftest import add_orders, simulated_orders

FIELDS = {
    "historic_clv",
    "predicted_clv",
    "total_clv",
    "expected_orders",
    "churn_probability",
    "expected_next_order",
    "average_order_value",
}


def auth(account) -> dict:
    return {"Authorization": f"Bearer {account.private_key}"}


def refresh_and_run(client, runtime, account) -> dict:
    assert client.post("/api/predictions/refresh", headers=auth(account)).status_code == 202
    assert account.id in service.run_pending(runtime.db)
    return client.get("/api/predictions", headers=auth(account)).get_json()


def test_one_customer_is_not_enough_data_and_a_refresh_while_fitting_is_409(
    client, runtime, account
):
    body = client.get("/api/predictions", headers=auth(account)).get_json()
    assert body["status"] == "not_fitted"
    assert body["fitted_at"] is None and body["customers"] == 0

    ids = add_orders(runtime.db, account.id, [("solo@shop.test", utcnow(), 30.0)])
    assert client.post("/api/predictions/refresh", headers=auth(account)).status_code == 202
    again = client.post("/api/predictions/refresh", headers=auth(account))
    assert again.status_code == 409
    assert "error" in again.get_json()
    body = client.get("/api/predictions", headers=auth(account)).get_json()
    assert body["status"] == "fitting"
    assert body["progress"]["step"] == "queued"

    assert service.run_pending(runtime.db) == [account.id]
    body = client.get("/api/predictions", headers=auth(account)).get_json()
    assert body["status"] == "not_enough_data"
    assert body["customers"] == 1
    gates = {g["name"]: g for g in body["gates"]}
    assert set(gates) == {
        "customers_with_orders",
        "history_days",
        "recent_orders",
        "repeat_customers",
    }
    assert not gates["customers_with_orders"]["met"]
    assert gates["customers_with_orders"]["detail"].startswith("1 customers with orders")
    assert gates["recent_orders"]["met"]
    profile = client.get(f"/api/profiles/{ids['solo@shop.test']}", headers=auth(account))
    assert profile.get_json()["predictions"] is None
    # Done fitting: a refresh is welcome again; the nightly pass leaves a fresh fit alone.
    assert service.run_pending(runtime.db) == []
    assert client.post("/api/predictions/refresh", headers=auth(account)).status_code == 202


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_bad_revenue_is_left_out_of_spend_and_counted_in_the_gates(client, runtime, account):
    now = utcnow()
    ids = add_orders(
        runtime.db,
        account.id,
        [
            ("a@shop.test", now - timedelta(days=3), 40.0),
            ("a@shop.test", now - timedelta(days=2), -15.0),
            ("a@shop.test", now - timedelta(days=1), "lots"),
            ("b@shop.test", now - timedelta(days=1), None),
        ],
    )
    body = refresh_and_run(client, runtime, account)
    detail = {g["name"]: g for g in body["gates"]}["customers_with_orders"]["detail"]
    assert "3 orders' revenue left out of spend (1 negative, 2 missing or not a number)" in detail
    assert body["status"] == "not_enough_data"
    assert ids  # the profiles exist; predictions stay null while gates are unmet


def test_a_store_with_history_gets_predictions_for_every_profile(
    client, runtime, account, make_account, store_with_history
):
    body = refresh_and_run(client, runtime, account)
    assert body["status"] == "ready", body["gates"]
    assert all(g["met"] for g in body["gates"])
    assert body["customers"] == 600
    assert body["fitted_at"].endswith("Z")
    model = body["model"]
    assert set(model["bgnbd"]) >= {"r", "alpha", "a", "b"}
    assert set(model["gamma_gamma"]) >= {"p", "q", "v"}
    trial = body["backtest"]
    assert [b["orders"] for b in trial["buckets"]][:3] == ["1", "2", "3"]
    assert 0 <= trial["error"] < 0.5

    with runtime.db.session() as s:
        by_email = {
            e: read.for_profile(s, account.id, pid) for e, pid in store_with_history.items()
        }
    # Through the API, a sample (each profile read also loads its events).
    for email in list(by_email)[:20] + ["browser@shop.test"]:
        pid = store_with_history[email]
        got = client.get(f"/api/profiles/{pid}", headers=auth(account)).get_json()
        assert got["predictions"] == pytest.approx(by_email[email]), email
    for email, pred in by_email.items():
        assert set(pred) == FIELDS, email
        assert pred["total_clv"] == pytest.approx(pred["historic_clv"] + pred["predicted_clv"])
        assert 0 <= pred["churn_probability"] <= 1
        assert pred["expected_orders"] > 0
    newcomer = by_email.pop("browser@shop.test")
    assert newcomer["historic_clv"] == 0 and newcomer["predicted_clv"] > 0
    assert newcomer["average_order_value"] > 0
    spenders = [p for p in by_email.values() if p["historic_clv"] > 0]
    assert len(spenders) == 600
    # The frequent, recent buyers are worth more than the newcomer; lapsed ones less.
    best = max(by_email.values(), key=lambda p: p["predicted_clv"])
    assert best["predicted_clv"] > newcomer["predicted_clv"]
    assert best["expected_next_order"] is not None
    assert any(p["churn_probability"] > 0.6 for p in by_email.values())

    # A profile created after the fit has a new customer's figures until the next fit.
    with runtime.db.session() as s:
        p = Profile(account_id=account.id, email="late@shop.test", traits={})
        s.add(p)
        s.flush()
        late_id = p.id
    got = client.get(f"/api/profiles/{late_id}", headers=auth(account)).get_json()
    assert got["predictions"] == pytest.approx(newcomer)

    # Another account sees none of it.
    other = make_account("Other", email="owner@other.test")
    assert client.get("/api/predictions", headers=auth(other)).get_json()["status"] == "not_fitted"
    pid = store_with_history["browser@shop.test"]
    assert client.get(f"/api/profiles/{pid}", headers=auth(other)).status_code == 404


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_store_whose_revenue_is_all_missing_is_not_enough_data_not_an_error(
    client, runtime, account
):
    orders = [(e, ts, None) for e, ts, _ in simulated_orders(600, 400)]
    add_orders(runtime.db, account.id, orders)
    body = refresh_and_run(client, runtime, account)
    assert body["status"] == "not_enough_data" and body["error"] is None
    gates = {g["name"]: g for g in body["gates"]}
    assert gates["customers_with_orders"]["met"] and gates["history_days"]["met"]
    assert not gates["repeat_customers"]["met"]
    assert "only 0 repeat customers with a valid revenue" in gates["repeat_customers"]["detail"]

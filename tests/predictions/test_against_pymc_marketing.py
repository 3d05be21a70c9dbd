"""Tally's scipy fits against pymc-marketing's (the field's maintained library) on the same
data: the same maximum-likelihood estimates and the same predictions. pymc-marketing is only a
test dependency: its import, graph compilation and fit cost tens of seconds and some 400 MB
(docs/predictions.md), too heavy for the nightly job."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from backend.demo.purchasing import simulate
from backend.predictions.data import Orders, summarise
from backend.predictions.models import BetaGeo, GammaGamma
from backend.predictions.score import rfm_weeks

clv = pytest.importorskip("pymc_marketing.clv")
Prior = pytest.importorskip("pymc_extras.prior").Prior

DATA = Path(__file__).parent / "data"


def _map(model):
    model.fit(method="map", progressbar=False)
    return model.fit_result


def test_the_same_estimates_and_predictions_on_simulated_customers():
    sim = simulate(3000, 500, seed=11)
    c = summarise(Orders(sim.customer.astype(np.int64), sim.day, sim.revenue))
    x, t_x, T = rfm_weeks(c, 500.0)
    ours = BetaGeo.fit(x, t_x, T)

    data = pd.DataFrame({"customer_id": np.arange(len(x)), "frequency": x, "recency": t_x, "T": T})
    flat = {k: Prior("HalfFlat") for k in ("r", "alpha", "a", "b")}
    model = clv.BetaGeoModel(data=data, model_config=flat)
    post = _map(model)
    for name in ("r", "alpha", "a", "b"):
        theirs = float(post[name].values.ravel()[0])
        assert getattr(ours, name) == pytest.approx(theirs, rel=2e-3), name

    theirs_exp = model.expected_purchases(future_t=52).values.reshape(-1)
    assert ours.expected_purchases(52, x, t_x, T) == pytest.approx(theirs_exp, rel=5e-3, abs=1e-4)
    theirs_alive = model.expected_probability_alive().values.reshape(-1)
    assert ours.probability_alive(x, t_x, T) == pytest.approx(theirs_alive, rel=5e-3, abs=1e-4)


def test_the_same_gamma_gamma_estimates_on_cdnow():
    summary = pd.read_csv(DATA / "cdnow_customers_summary_with_transactions.csv")
    repeat = summary[summary["x"] > 0]
    ours = GammaGamma.fit(repeat["x"], repeat["zbar"])
    data = pd.DataFrame(
        {
            "customer_id": repeat["ID"],
            "frequency": repeat["x"],
            "monetary_value": repeat["zbar"],
        }
    )
    post = _map(clv.GammaGammaModel(data=data))
    for name in ("p", "q", "v"):
        assert getattr(ours, name) == pytest.approx(
            float(post[name].values.ravel()[0]), rel=2e-3
        ), name

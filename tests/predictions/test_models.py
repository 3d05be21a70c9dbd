"""The models against the published CDNOW figures (Fader, Hardie and Lee 2005; Fader and
Hardie's note on the Gamma-Gamma spend model), on the 2,357-customer CDNOW sample."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from backend.predictions.models import BetaGeo, GammaGamma

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def cdnow():
    return pd.read_csv(DATA / "cdnow_customers_summary.csv")


@pytest.fixture(scope="module")
def bgnbd(cdnow):
    return BetaGeo.fit(cdnow["frequency"], cdnow["recency"], cdnow["T"])


def test_cdnow_sample_is_the_published_one(cdnow):
    assert len(cdnow) == 2357
    assert int(cdnow["frequency"].sum()) == 2457  # repeat purchases in the 39-week calibration


def test_bgnbd_parameters_match_the_paper(bgnbd):
    assert round(bgnbd.r, 3) == 0.243
    assert round(bgnbd.alpha, 3) == 4.414
    assert round(bgnbd.a, 3) == 0.793
    assert round(bgnbd.b, 3) == 2.426


def test_bgnbd_conditional_expectation_matches_the_paper(bgnbd):
    # Customer 1: x = 2, t_x = 30.43, T = 38.86 weeks; 39 weeks ahead.
    assert round(float(bgnbd.expected_purchases(39, 2, 30.43, 38.86)), 3) == 1.226


def test_bgnbd_unconditional_expectation_matches_the_paper(bgnbd):
    assert abs(bgnbd.expected_purchases_new(78) - 1.8576) < 0.0005


def test_probability_alive_and_next_purchase_behave(bgnbd):
    x = np.array([0, 2, 2, 10])
    t_x = np.array([0, 30.43, 5.0, 38.0])
    T = np.array([38.86, 38.86, 38.86, 38.86])
    alive = bgnbd.probability_alive(x, t_x, T)
    assert alive[0] == 1.0  # BG/NBD: no repeat purchase, no chance to drop out yet
    assert alive[1] > alive[2]  # the same count, but a long silence since the last
    assert 0 < alive[2] < 0.5
    nxt = bgnbd.time_to_next_purchase(x, t_x, T)
    assert np.isnan(nxt[2])  # more likely gone than not: no expected next purchase
    assert nxt[3] < nxt[1]  # a frequent buyer is expected back sooner


def test_gamma_gamma_matches_the_published_estimates():
    summary = pd.read_csv(DATA / "cdnow_customers_summary_with_transactions.csv")
    repeat = summary[summary["x"] > 0]
    assert len(repeat) == 946
    gg = GammaGamma.fit(repeat["x"], repeat["zbar"])
    assert round(gg.p, 2) == 6.25
    assert round(gg.q, 2) == 3.74
    # Published 15.44 (from a spreadsheet solver); the likelihood's maximum is at 15.448, and
    # lifetimes finds the same. Within 0.01 of the paper.
    assert abs(gg.v - 15.44) < 0.01
    # A customer's expected spend lies between the population's mean and their own.
    expect = gg.expected_spend(np.array([1, 10]), np.array([100.0, 100.0]))
    assert gg.population_mean < expect[0] < expect[1] < 100
    assert gg.expected_spend(np.array([0]), np.array([np.nan]))[0] == pytest.approx(
        gg.population_mean
    )


def test_fits_recover_the_parameters_that_made_the_data():
    from backend.demo.purchasing import DEFAULTS, simulate
    from backend.predictions.data import Orders, summarise
    from backend.predictions.score import fit

    sim = simulate(30_000, 730, seed=5)
    customers = summarise(Orders(sim.customer.astype(np.int64), sim.day, sim.revenue))
    model = fit(customers, 730.0)
    bg, gg = model.bgnbd, model.gamma_gamma
    truth = {**DEFAULTS, "alpha": DEFAULTS["alpha"] / 7}  # per day -> per week
    assert bg.r == pytest.approx(truth["r"], rel=0.1)
    assert bg.alpha == pytest.approx(truth["alpha"], rel=0.1)
    assert bg.a == pytest.approx(truth["a"], rel=0.15)
    assert bg.b == pytest.approx(truth["b"], rel=0.15)
    assert gg.population_mean == pytest.approx(truth["p"] * truth["v"] / (truth["q"] - 1), rel=0.05)

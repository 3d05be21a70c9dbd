"""Fit both models on an account's customers and score every customer over the next year."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from backend.predictions.data import Customers
from backend.predictions.models import BetaGeo, GammaGamma

HORIZON_DAYS = 365
NEXT_ORDER_CAP_DAYS = 730  # a "next order" further out than this is shown as none
WEEK = 7.0


@dataclass
class Fitted:
    bgnbd: BetaGeo
    gamma_gamma: GammaGamma

    def as_json(self) -> dict:
        b, g = self.bgnbd, self.gamma_gamma
        return {
            "bgnbd": {
                "r": float(b.r),
                "alpha": float(b.alpha),
                "a": float(b.a),
                "b": float(b.b),
                "time_unit": "week",
            },
            "gamma_gamma": {"p": float(g.p), "q": float(g.q), "v": float(g.v)},
            "horizon_days": HORIZON_DAYS,
        }


@dataclass
class Scores:
    """Per customer (aligned with Customers), and the population's new-customer figures."""

    expected_orders: np.ndarray
    probability_alive: np.ndarray
    expected_spend: np.ndarray  # per future order
    next_order_in_days: np.ndarray  # NaN: not expected
    new_customer_orders: float
    new_customer_spend: float


def rfm_weeks(c: Customers, today: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x, t_x, T) in weeks."""
    return c.x.astype(float), (c.last - c.first) / WEEK, (today - c.first) / WEEK


def fit(c: Customers, today: float) -> Fitted:
    x, t_x, T = rfm_weeks(c, today)
    bg = BetaGeo.fit(x, t_x, T)
    repeat = c.repeat_x > 0
    gg = GammaGamma.fit(c.repeat_x[repeat], c.repeat_mean[repeat])
    return Fitted(bg, gg)


def score(model: Fitted, c: Customers, today: float) -> Scores:
    x, t_x, T = rfm_weeks(c, today)
    horizon = HORIZON_DAYS / WEEK
    bg, gg = model.bgnbd, model.gamma_gamma
    next_in = bg.time_to_next_purchase(x, t_x, T) * WEEK
    next_in = np.where(next_in <= NEXT_ORDER_CAP_DAYS, next_in, np.nan)
    return Scores(
        expected_orders=bg.expected_purchases(horizon, x, t_x, T),
        probability_alive=bg.probability_alive(x, t_x, T),
        expected_spend=gg.expected_spend(c.repeat_x, c.repeat_mean),
        next_order_in_days=next_in,
        new_customer_orders=bg.expected_purchases_new(horizon),
        new_customer_spend=gg.population_mean,
    )

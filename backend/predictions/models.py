"""BG/NBD (Fader, Hardie and Lee 2005) and Gamma-Gamma spend models, in numpy and scipy.

Closed-form log-likelihoods with analytic gradients, maximised by L-BFGS-B over the logs of
the parameters (all must be positive). Customers are (x, t_x, T): x repeat purchases, t_x the
time of the last one and T the time since the first, in any one unit (the pipeline uses
weeks, as the papers do). Identical customers are fitted once, weighted by their count.
docs/predictions.md says why this and not pymc-marketing (speed; same estimates, tested).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize
from scipy.special import gammaln, hyp2f1, psi


def _unique_rows(*cols: np.ndarray) -> tuple[list[np.ndarray], np.ndarray]:
    stacked = np.column_stack([np.asarray(c, dtype=float) for c in cols])
    rows, counts = np.unique(stacked, axis=0, return_counts=True)
    return [rows[:, i] for i in range(rows.shape[1])], counts.astype(float)


def _maximise(neg_ll_and_grad, start: np.ndarray, bounds=None) -> np.ndarray:
    result = minimize(
        neg_ll_and_grad,
        np.log(start),
        jac=True,
        method="L-BFGS-B",
        bounds=bounds or [(-12.0, 12.0)] * len(start),
        options={"ftol": 1e-13, "gtol": 1e-9, "maxiter": 2000},
    )
    return np.exp(result.x)


@dataclass(frozen=True)
class BetaGeo:
    """BG/NBD: purchases at rate lambda ~ Gamma(r, alpha) while alive; after each purchase
    the customer drops out with probability p ~ Beta(a, b)."""

    r: float
    alpha: float
    a: float
    b: float

    @staticmethod
    def log_likelihood(params, x, t_x, T):
        r, alpha, a, b = params
        a1 = gammaln(r + x) - gammaln(r) + r * np.log(alpha)
        a2 = gammaln(a + b) + gammaln(b + x) - gammaln(b) - gammaln(a + b + x)
        a3 = -(r + x) * np.log(alpha + T)
        repeat = x > 0
        a4 = np.where(
            repeat,
            np.log(a) - np.log(np.where(repeat, b + x - 1, 1.0)) - (r + x) * np.log(alpha + t_x),
            -np.inf,
        )
        return a1 + a2 + np.logaddexp(a3, a4)

    @classmethod
    def fit(cls, x, t_x, T) -> BetaGeo:
        (x, t_x, T), w = _unique_rows(x, t_x, T)
        n = w.sum()
        # Terms of x alone (gammaln, psi: the costly part) are computed once per distinct x.
        ux, at = np.unique(x, return_inverse=True)
        repeat = x > 0
        bx1 = np.where(ux > 0, 0.0, 1.0)  # keeps b + x - 1 away from 0 where x == 0

        def neg(theta):
            r, alpha, a, b = np.exp(theta)
            g_rx = gammaln(r + ux)
            g_bx = gammaln(b + ux)
            g_abx = gammaln(a + b + ux)
            log_bx1 = np.log(b + ux - 1 + bx1)
            a12 = (g_rx + g_bx - g_abx)[at] - gammaln(r) + r * np.log(alpha)
            a12 += gammaln(a + b) - gammaln(b)
            rx = r + x
            l_T, l_tx = np.log(alpha + T), np.log(alpha + t_x)
            a3 = -rx * l_T
            a4 = np.where(repeat, np.log(a) - log_bx1[at] - rx * l_tx, -np.inf)
            lse = np.logaddexp(a3, a4)
            w3 = np.exp(a3 - lse)
            w4 = 1.0 - w3
            p_rx, p_bx, p_abx = psi(r + ux)[at], psi(b + ux)[at], psi(a + b + ux)[at]
            d_r = p_rx - psi(r) + np.log(alpha) - w3 * l_T - w4 * l_tx
            d_alpha = r / alpha - rx * (w3 / (alpha + T) + w4 / (alpha + t_x))
            d_a = psi(a + b) - p_abx + w4 / a
            d_b = psi(a + b) + p_bx - psi(b) - p_abx - w4 / np.exp(log_bx1[at])
            ll = np.dot(w, a12 + lse) / n
            grad = np.array(
                [np.dot(w, g) / n for g in (d_r * r, d_alpha * alpha, d_a * a, d_b * b)]
            )
            return -ll, -grad

        scale = max(float(np.average(T, weights=w)), 1e-6)
        return cls(*_maximise(neg, np.array([1.0, scale, 1.0, 1.0])))

    def probability_alive(self, x, t_x, T) -> np.ndarray:
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        x = np.asarray(x, dtype=float)
        repeat = x > 0
        ratio = np.where(
            repeat,
            a / np.where(repeat, b + x - 1, 1.0) * ((alpha + T) / (alpha + t_x)) ** (r + x),
            0.0,
        )
        return 1.0 / (1.0 + ratio)

    def expected_purchases(self, t, x, t_x, T) -> np.ndarray:
        """E[Y(t) | x, t_x, T]: expected purchases in the next t, given a customer's history."""
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        x = np.asarray(x, dtype=float)
        z = t / (alpha + T + t)
        head = (a + b + x - 1) / (a - 1)
        tail = 1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * hyp2f1(
            r + x, b + x, a + b + x - 1, z
        )
        return head * tail * self.probability_alive(x, t_x, T)

    def expected_purchases_new(self, t) -> float:
        """E[X(t)]: expected purchases in a new customer's first t."""
        r, alpha, a, b = self.r, self.alpha, self.a, self.b
        z = t / (alpha + t)
        return float(
            (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * hyp2f1(r, b, a + b - 1, z))
        )

    def time_to_next_purchase(self, x, t_x, T, probability: float = 0.5) -> np.ndarray:
        """The t by which the next purchase has happened with the given probability (NaN when it
        never will: P(alive) too low). Alive at T, lambda | history ~ Gamma(r + x, alpha + T),
        so P(next purchase within t) = P(alive) * (1 - ((alpha + T) / (alpha + T + t))^(r + x)).
        """
        alive = self.probability_alive(x, t_x, T)
        with np.errstate(divide="ignore", invalid="ignore"):
            left = 1 - probability / alive
            t = (self.alpha + T) * (np.power(left, -1.0 / (self.r + np.asarray(x))) - 1)
        return np.where(alive > probability, t, np.nan)


@dataclass(frozen=True)
class GammaGamma:
    """Spend per purchase: z ~ Gamma(p, nu) for a customer, nu ~ Gamma(q, v) across them."""

    p: float
    q: float
    v: float

    @classmethod
    def fit(cls, x, mean_spend) -> GammaGamma:
        """x: repeat purchases (> 0), mean_spend: their average value (> 0)."""
        (x, m), w = _unique_rows(x, mean_spend)
        n = w.sum()
        log_m, log_x = np.log(m), np.log(x)
        ux, at = np.unique(x, return_inverse=True)  # gammaln, psi: once per distinct x

        def neg(theta):
            p, q, v = np.exp(theta)
            pux = p * ux
            g_pxq, g_px = gammaln(pux + q), gammaln(pux)
            s_pxq, s_px = psi(pux + q), psi(pux)
            px = p * x
            vxm = np.log(v + x * m)
            ll = (
                (g_pxq - g_px)[at]
                - gammaln(q)
                + q * np.log(v)
                + (px - 1) * log_m
                + px * log_x
                - (px + q) * vxm
            )
            d_p = x * ((s_pxq - s_px)[at] + log_m + log_x - vxm)
            d_q = s_pxq[at] - psi(q) + np.log(v) - vxm
            d_v = q / v - (px + q) / (v + x * m)
            grad = np.array([np.dot(w, g) / n for g in (d_p * p, d_q * q, d_v * v)])
            return -np.dot(w, ll) / n, -grad

        # q > 1: the population's mean spend, p v / (q - 1), must exist.
        bounds = [(-12.0, 12.0), (np.log(1.001), 12.0), (-12.0, 12.0)]
        start = np.array([1.0, 2.0, float(np.average(m, weights=w))])
        return cls(*_maximise(neg, start, bounds))

    def expected_spend(self, x, mean_spend) -> np.ndarray:
        """E[spend per purchase | x, mean]: a weighted mean of the population's and the
        customer's own average (the population's alone where x == 0)."""
        p, q, v = self.p, self.q, self.v
        x = np.asarray(x, dtype=float)
        m = np.where(x > 0, np.nan_to_num(np.asarray(mean_spend, dtype=float)), 0.0)
        return p * (v + x * m) / (p * x + q - 1)

    @property
    def population_mean(self) -> float:
        return self.p * self.v / (self.q - 1)

"""Fits in the store: status, refresh requests (one at a time), the fit itself with progress,
and writing every profile's figures in one transaction."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta

import numpy as np
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from backend.errors import Conflict
from backend.predictions import backtest, failures, gates
from backend.predictions.data import from_day, load_orders, summarise, to_day
from backend.predictions.recovery import finish, reap, record_failure
from backend.predictions.score import fit, score
from backend.store.db import Database, utcnow
from backend.store.models import Profile
from backend.store.prediction_models import PredictionFit, ProfilePrediction

log = logging.getLogger("tally.predictions")

STALE_FIT = failures.STALE_FIT  # a started fit silent this long died with its process
NIGHTLY = timedelta(hours=24)


class AlreadyFitting(Conflict):
    pass


def _iso(ts: datetime | None) -> str | None:
    return None if ts is None else ts.isoformat(timespec="seconds") + "Z"


def status(session: Session, account_id: str) -> dict:
    """The GET /api/predictions body (docs/api.md, Predictions)."""
    f = session.get(PredictionFit, account_id)
    if f is None:
        return {
            "status": "not_fitted",
            "fitted_at": None,
            "customers": 0,
            "gates": [],
            "model": {},
            "backtest": None,
            "progress": None,
            "error": None,
        }
    fitting = f.status == "fitting"
    return {
        "status": f.status,
        "fitted_at": _iso(f.fitted_at),
        "customers": f.customers,
        "gates": f.gates or [],
        "model": f.model or {},
        "backtest": f.backtest or None,
        "progress": {"fraction": f.progress, "step": f.step} if fitting else None,
        "error": f.error,
    }


def request_refresh(db: Database, account_id: str) -> None:
    """Ask the jobs process for a fit now; AlreadyFitting (409) while one is asked or running
    (a fit whose process died is recorded as failed first, and may be asked again)."""
    reap(db, account_id)
    now = utcnow()
    with db.session() as s:
        taken = s.execute(
            update(PredictionFit)
            .where(
                PredictionFit.account_id == account_id,
                (PredictionFit.status != "fitting") | (PredictionFit.updated_at < now - STALE_FIT),
            )
            .values(status="fitting", requested_at=now, progress=0.0, step="queued", updated_at=now)
        ).rowcount
        if taken:
            return
        exists = s.get(PredictionFit, account_id) is not None
    if exists:
        raise AlreadyFitting("predictions are being fitted; refresh again when it is done")
    try:
        with db.session() as s:
            s.add(
                PredictionFit(
                    account_id=account_id,
                    status="fitting",
                    requested_at=now,
                    step="queued",
                    updated_at=now,
                )
            )
    except IntegrityError:
        raise AlreadyFitting(
            "predictions are being fitted; refresh again when it is done"
        ) from None


def _beat(db: Database, account_id: str, worker: str) -> Callable[[], None]:
    def beat() -> None:
        with db.session() as s:
            s.execute(
                update(PredictionFit)
                .where(PredictionFit.account_id == account_id, PredictionFit.worker == worker)
                .values(updated_at=utcnow())
            )

    return beat


def _progress(db: Database, account_id: str) -> Callable[[float, str], None]:
    def report(fraction: float, step: str) -> None:
        with db.session() as s:
            s.execute(
                update(PredictionFit)
                .where(PredictionFit.account_id == account_id)
                .values(progress=fraction, step=step, updated_at=utcnow())
            )

    return report


def fit_account(db: Database, account_id: str, now: datetime | None = None) -> str:
    """Fit the account's models and write every profile's predictions; returns the status
    (ready | not_enough_data). Thin data is not an error (the gates say why); data that pass
    the gates but give no usable figures raise failures.FitFailed, worded for a person, and
    nothing is written (run_pending records it; the last good predictions stay)."""
    now = now or utcnow()
    worker = failures.worker_id()
    with db.session() as s:
        if s.get(PredictionFit, account_id) is None:
            s.add(PredictionFit(account_id=account_id, status="fitting", updated_at=now))
        s.execute(
            update(PredictionFit)
            .where(PredictionFit.account_id == account_id)
            .values(
                status="fitting",
                started_at=now,
                updated_at=utcnow(),
                progress=0.0,
                step="reading orders",
                worker=worker,
            )
        )
    with failures.heartbeat(_beat(db, account_id, worker)):
        return _fit(db, account_id, now)


def _fit(db: Database, account_id: str, now: datetime) -> str:
    report = _progress(db, account_id)
    started = time.perf_counter()
    with db.session() as s:
        orders = load_orders(s, account_id)
    today = float(np.floor(to_day(now)))
    customers = summarise(orders)
    checked = gates.check(customers, int(today))
    if not all(g["met"] for g in checked):
        with db.session() as s:
            s.execute(delete(ProfilePrediction).where(ProfilePrediction.account_id == account_id))
        finish(
            db,
            account_id,
            status="not_enough_data",
            customers=len(customers),
            gates=checked,
            model={},
            backtest={},
            error=None,
            fitted_at=now,
        )
        return "not_enough_data"

    report(0.1, "checking the orders")
    failures.check_spend(customers.spend, customers.profile_id)
    report(0.2, "fitting the purchase model (BG/NBD) and the spend model (Gamma-Gamma)")
    model = fit(customers, today)
    report(0.45, "scoring customers")
    scores = score(model, customers, today)
    # Nothing non-finite is written: a NaN CLV would sort first and poison segments.
    params = {**model.as_json()["bgnbd"], **model.as_json()["gamma_gamma"]}
    failures.check_figures(
        {k: v for k, v in params.items() if k != "time_unit"},
        {
            "expected orders": scores.expected_orders,
            "P(alive)": scores.probability_alive,
            "expected spend": scores.expected_spend,
            "new customer": np.array([scores.new_customer_orders, scores.new_customer_spend]),
        },
    )
    report(0.6, "backtesting on the last third of the history")
    trial = backtest.run(orders, today)
    if trial is not None:
        trial["calibration_end"] = _iso(from_day(trial["calibration_end"]))
    report(0.8, "saving predictions")
    newcomer = _write(db, account_id, customers, scores, now)
    seconds = round(time.perf_counter() - started, 2)
    log.info(
        "predictions fitted for %s: %d customers in %.2f s", account_id, len(customers), seconds
    )
    finish(
        db,
        account_id,
        status="ready",
        customers=len(customers),
        gates=checked,
        model={**model.as_json(), "fit_seconds": seconds, "new_customer": newcomer},
        backtest=trial or {},
        error=None,
        fitted_at=now,
    )
    return "ready"


def _write(db: Database, account_id: str, customers, scores, now: datetime) -> dict:
    """Every profile of the account: customers their own figures, the rest a new customer's
    (returned, for profiles created before the next fit)."""
    aov = np.where(
        customers.valid_orders > 0,
        customers.spend / np.maximum(customers.valid_orders, 1),
        scores.new_customer_spend,
    )
    predicted = scores.expected_orders * scores.expected_spend
    next_at = [
        None if np.isnan(d) else now + timedelta(days=float(d)) for d in scores.next_order_in_days
    ]
    rows = {
        int(pid): {
            "historic_clv": float(customers.spend[i]),
            "predicted_clv": float(predicted[i]),
            "total_clv": float(customers.spend[i] + predicted[i]),
            "expected_orders": float(scores.expected_orders[i]),
            "churn_probability": float(1.0 - scores.probability_alive[i]),
            "expected_next_order": next_at[i],
            "average_order_value": float(aov[i]),
        }
        for i, pid in enumerate(customers.profile_id)
    }
    new_clv = scores.new_customer_orders * scores.new_customer_spend
    newcomer = {
        "historic_clv": 0.0,
        "predicted_clv": float(new_clv),
        "total_clv": float(new_clv),
        "expected_orders": float(scores.new_customer_orders),
        "churn_probability": 0.0,  # BG/NBD: nobody drops out before a first purchase
        "expected_next_order": None,
        "average_order_value": float(scores.new_customer_spend),
    }
    with db.session() as s:
        ids = s.scalars(select(Profile.id).where(Profile.account_id == account_id)).all()
        s.execute(delete(ProfilePrediction).where(ProfilePrediction.account_id == account_id))
        batch = []
        for pid in ids:
            batch.append(
                {"account_id": account_id, "profile_id": pid, "fitted_at": now}
                | rows.get(pid, newcomer)
            )
            if len(batch) == 10_000:
                s.execute(ProfilePrediction.__table__.insert(), batch)
                batch = []
        if batch:
            s.execute(ProfilePrediction.__table__.insert(), batch)
    return newcomer


def due_accounts(session: Session, now: datetime) -> list[str]:
    """Accounts whose refresh was asked for, then (nightly) those not tried for a day, never
    tried, or whose fit died with its process."""
    from backend.store.models import Account

    fits = {f.account_id: f for f in session.scalars(select(PredictionFit))}
    asked = [a for a, f in fits.items() if f.status == "fitting" and f.requested_at is not None]
    nightly = []
    for a in session.scalars(select(Account.id).order_by(Account.id)):
        f = fits.get(a)
        if f is None:
            nightly.append(a)
        elif f.status == "fitting":
            if f.requested_at is None and f.updated_at < now - STALE_FIT:
                nightly.append(a)
        elif f.started_at is None or f.started_at < now - NIGHTLY:
            nightly.append(a)
    return asked + nightly


def run_pending(db: Database, now: datetime | None = None) -> list[str]:
    """One pass of the jobs process: fit every due account. Returns the accounts fitted."""
    now = now or utcnow()
    reap(db, now=now)
    with db.session() as s:
        due = due_accounts(s, now)
    for account_id in due:
        try:
            fit_account(db, account_id)
        except Exception as exc:  # one account's failure must not stop the others'
            log.exception("predictions fit failed for %s", account_id)
            record_failure(db, account_id, exc)
    return due


def run_forever(runtime, stop, interval: float = 5.0) -> None:
    while not stop.is_set():
        try:
            run_pending(runtime.db)
        except Exception:
            log.exception("predictions pass failed; retrying")
        stop.wait(interval)

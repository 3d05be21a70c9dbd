"""Reads of stored predictions, for the profile API, the profile page and the dashboard cards.
Store only (no model code), so the profile read path stays light."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.store.models import Profile
from backend.store.prediction_models import PREDICTION_FIELDS, PredictionFit, ProfilePrediction


def _iso(ts: datetime | None) -> str | None:
    return None if ts is None else ts.isoformat(timespec="seconds") + "Z"


def as_json(row: ProfilePrediction) -> dict:
    out = {f: getattr(row, f) for f in PREDICTION_FIELDS}
    out["expected_next_order"] = _iso(row.expected_next_order)
    return out


def for_profile(session: Session, account_id: str, profile_id: int) -> dict | None:
    """The profile's predictions, or None while the account has none (gates not met)."""
    row = session.scalars(
        select(ProfilePrediction).where(ProfilePrediction.profile_id == profile_id)
    ).first()
    if row is not None and row.account_id == account_id:
        return as_json(row)
    return new_customer(session, account_id)


def new_customer(session: Session, account_id: str) -> dict | None:
    """The predictions of a profile without its own row (created since the last fit): the
    population's new customer, kept by the fit, while the account's data meets the gates;
    None otherwise. The profile API, segment conditions (backend/segments/evaluate.py) and
    flow conditions (backend/flows/conditions.py) all read it here, so they agree.
    expected_next_order is always None (a new customer's first order has no date)."""
    fit = session.get(PredictionFit, account_id)
    if fit is None or not (fit.model or {}).get("new_customer"):  # {} unless gates were met
        return None
    return dict(fit.model["new_customer"])


def top_customers(session: Session, account_id: str, limit: int = 10) -> list[dict]:
    """Profiles with the highest predicted CLV: id, e-mail and their predictions."""
    rows = session.execute(
        select(ProfilePrediction, Profile.email, Profile.external_id, Profile.traits)
        .join(Profile, Profile.id == ProfilePrediction.profile_id)
        .where(ProfilePrediction.account_id == account_id)
        .order_by(ProfilePrediction.predicted_clv.desc(), ProfilePrediction.profile_id)
        .limit(limit)
    ).all()
    return [
        {"id": p.profile_id, "email": email, "user_id": ext, "traits": traits, **as_json(p)}
        for p, email, ext, traits in rows
    ]


def clv_values(session: Session, account_id: str, column: str = "total_clv") -> list[float]:
    """Every profile's total (or predicted: column="predicted_clv") CLV, for the
    distribution card."""
    col = getattr(ProfilePrediction, column)
    return list(session.scalars(select(col).where(ProfilePrediction.account_id == account_id)))


def count(session: Session, account_id: str) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(ProfilePrediction)
            .where(ProfilePrediction.account_id == account_id)
        )
        or 0
    )

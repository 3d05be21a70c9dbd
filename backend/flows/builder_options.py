"""Choices the flow builder offers: the account's metric names and list names."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.analytics.metrics import list_metrics
from backend.store.models import List


def metric_names(session: Session, account_id: str) -> list[str]:
    return [m["name"] for m in list_metrics(session, account_id)]


def list_names(session: Session, account_id: str) -> list[str]:
    return list(
        session.scalars(select(List.name).where(List.account_id == account_id).order_by(List.name))
    )

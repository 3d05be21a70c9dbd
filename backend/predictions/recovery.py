"""Ending a fit: writing its outcome, going back to the last good one when it failed, and
recording fits whose process died (service.run_pending and request_refresh call reap first,
so nothing stays "fitting" after the jobs process dies mid-fit)."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select, update

from backend.predictions import failures
from backend.store.db import Database, utcnow
from backend.store.prediction_models import PredictionFit

log = logging.getLogger("tally.predictions")


def finish(db: Database, account_id: str, **values) -> None:
    with db.session() as s:
        s.execute(
            update(PredictionFit)
            .where(PredictionFit.account_id == account_id)
            .values(
                requested_at=None,
                progress=1.0,
                step="",
                worker=None,
                updated_at=utcnow(),
                **values,
            )
        )


def _previous(f: PredictionFit) -> tuple[str, datetime | None]:
    """The status a failed fit goes back to (its rows are still there), and when the
    predictions still shown were fitted (None: none are shown)."""
    if f.fitted_at is None:
        return "not_fitted", None
    if (f.model or {}).get("bgnbd"):
        return "ready", f.fitted_at
    return "not_enough_data", None


def record_failure(db: Database, account_id: str, exc: BaseException) -> None:
    """Back to the last fit's status, with what went wrong and what to do to show."""
    with db.session() as s:
        f = s.get(PredictionFit, account_id)
        previous, shown = _previous(f)
        error = failures.failed_message(f.step, exc, shown)
    finish(db, account_id, status=previous, error=error)


def reap(db: Database, account_id: str | None = None, now: datetime | None = None) -> list[str]:
    """Record as failed every started fit (of one account, or all) whose process is gone, so
    none stays "fitting" after the jobs process dies mid-fit. Returns the accounts reaped."""
    now = now or utcnow()
    reaped = []
    with db.session() as s:
        q = select(PredictionFit).where(
            PredictionFit.status == "fitting", PredictionFit.worker.is_not(None)
        )
        if account_id is not None:
            q = q.where(PredictionFit.account_id == account_id)
        for f in s.scalars(q):
            if not failures.is_dead(f.worker, f.updated_at, now):
                continue
            previous, shown = _previous(f)
            log.warning("predictions fit of %s died with its process %s", f.account_id, f.worker)
            # Only if it is still the same dead fit (a new one may have taken over since).
            s.execute(
                update(PredictionFit)
                .where(PredictionFit.account_id == f.account_id, PredictionFit.worker == f.worker)
                .values(
                    status=previous,
                    error=failures.died_message(f.step, f.started_at, shown),
                    requested_at=None,
                    progress=1.0,
                    step="",
                    worker=None,
                    updated_at=utcnow(),
                )
            )
            reaped.append(f.account_id)
    return reaped

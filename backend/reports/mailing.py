"""Render and send the scheduled report e-mails (run by the jobs process)."""

from __future__ import annotations

import logging
import threading
from datetime import datetime

from backend.counters import counter_store
from backend.flows.mailer import Mailer
from backend.reports import export
from backend.reports.model import build_report
from backend.reports.schedules import claim_due
from backend.store.db import utcnow
from backend.store.report_models import ReportSchedule

log = logging.getLogger("tally.reports")


def send_due(runtime, now: datetime | None = None) -> int:
    """Send every report due now; returns how many were sent."""
    now = now or utcnow()
    with runtime.db.session() as s:
        ids = claim_due(s, now)
    sent = 0
    for sid in ids:
        with runtime.db.session() as s:
            sc = s.get(ReportSchedule, sid)
            try:
                _send(runtime, s, sc)
                sc.last_sent_at, sc.last_error = now, None
                sent += 1
            except Exception as exc:  # one schedule's failure never stops the others
                log.exception("report %s failed", sid)
                sc.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    return sent


def _send(runtime, s, sc: ReportSchedule) -> None:
    figure = runtime.renderers["card_figure"]
    report = build_report(s, counter_store(runtime), sc.account_id, sc.dashboard_id)
    pdf = export.dashboard(report, "pdf", figure)
    png = export.dashboard(report, "png", figure)
    title = f"{report.title}: your {sc.frequency} Tally report"
    text = (
        f"{report.title} for {report.account}\n{report.range_label}\n"
        f"{report.timezone_label}\n\n"
        "The full report is attached as a PDF."
    )
    html = (
        f"<p><strong>{_esc(report.title)}</strong> for {_esc(report.account)}<br>"
        f"{_esc(report.range_label)}<br>{_esc(report.timezone_label)}</p>"
        '<p><img src="cid:dashboard" alt="The dashboard" '
        'style="max-width:100%"></p><p>The full report is attached as a PDF.</p>'
    )
    Mailer(runtime.settings.smtp_url).send(
        sc.recipients,
        title,
        text,
        html,
        attachments=[(export.filename(report, "pdf"), "application/pdf", pdf)],
        inline=[("dashboard", "image/png", png)],
    )


def _esc(text: str) -> str:
    from markupsafe import escape

    return str(escape(text))


def run_forever(runtime, stop: threading.Event, interval: float = 30.0) -> None:
    while not stop.is_set():
        try:
            send_due(runtime)
        except Exception:
            log.exception("report scheduler pass failed; retrying")
        stop.wait(interval)

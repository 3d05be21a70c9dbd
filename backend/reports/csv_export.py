"""Tidy CSV: one row per card, series and point (card, series, t, count, revenue)."""

from __future__ import annotations

import csv
import io

from backend.reports import prediction_cards
from backend.reports.model import Report

COLUMNS = ["card", "series", "t", "count", "revenue"]


def to_csv(report: Report) -> bytes:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    # A top-customers card adds its columns (profile, exact expected orders, churn risk).
    extra = any(
        d.predictions is not None and d.predictions.kind == "top_customers" for d in report.cards
    )
    w.writerow(COLUMNS + (prediction_cards.EXTRA_COLUMNS if extra else []))
    pad = [""] * len(prediction_cards.EXTRA_COLUMNS) if extra else []
    for data in report.cards:
        title = data.card.get("title") or data.card["metric"]
        if data.predictions is not None:
            w.writerows(prediction_cards.csv_rows(title, data.predictions, extra))
            continue
        for row in data.frame.itertuples(index=False):
            key = "" if row.key is None else str(row.key)
            t = row.t.isoformat() if hasattr(row.t, "isoformat") else str(row.t)
            w.writerow([title, key, t, int(row.count), round(float(row.revenue), 2), *pad])
    return out.getvalue().encode("utf-8")

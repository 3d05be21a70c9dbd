"""Tidy CSV: one row per card, series and point (card, series, t, count, revenue)."""

from __future__ import annotations

import csv
import io

from backend.reports.model import Report

COLUMNS = ["card", "series", "t", "count", "revenue"]


def to_csv(report: Report) -> bytes:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(COLUMNS)
    for data in report.cards:
        title = data.card.get("title") or data.card["metric"]
        for row in data.frame.itertuples(index=False):
            key = "" if row.key is None else str(row.key)
            t = row.t.isoformat() if hasattr(row.t, "isoformat") else str(row.t)
            w.writerow([title, key, t, int(row.count), round(float(row.revenue), 2)])
    return out.getvalue().encode("utf-8")

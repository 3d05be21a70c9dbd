"""A campaign's report as CSV (one row per number: section, key, value) and as PDF (an HTML
page printed by the reports' headless Chromium)."""

from __future__ import annotations

import csv
import html
import io
import re

from backend.store.campaign_models import Campaign

FORMATS = {"csv": "text/csv; charset=utf-8", "pdf": "application/pdf"}


def rows(c: Campaign, r: dict) -> list[tuple[str, str, object]]:
    out: list[tuple[str, str, object]] = [
        ("campaign", "name", c.name),
        ("campaign", "status", c.status),
    ]
    out += [("stats", k, v) for k, v in r["stats"].items()]
    out += [
        ("stats", "delivered", r["delivered"]),
        ("stats", "machine_opened", r["machine_opened"]),
        ("stats", "complained", r["complained"]),
    ]
    for v in r["variants"]:
        for k in ("subject", "sent", "opened", "clicked", "open_rate", "click_rate"):
            out.append((f"variant {v['variant']}", k, v[k]))
    out += [("links", x["url"], x["clicks"]) for x in r["links"]]
    for p in r["over_time"]:
        out += [
            ("over_time " + p["t"], "opened", p["opened"]),
            ("over_time " + p["t"], "clicked", p["clicked"]),
        ]
    return out


def to_csv(c: Campaign, r: dict) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(["section", "key", "value"])
    w.writerows(rows(c, r))
    return buf.getvalue().encode("utf-8")


def to_html(c: Campaign, r: dict) -> str:
    def table(title, items):
        cells = "".join(
            f"<tr><th scope='row'>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>"
            for k, v in items
        )
        return f"<h2>{html.escape(title)}</h2><table>{cells}</table>"

    parts = [
        f"<h1>{html.escape(c.name)}</h1><p>Status: {html.escape(c.status)}</p>",
        table("Numbers", [(k, v) for sec, k, v in rows(c, r) if sec == "stats"]),
    ]
    if r["variants"]:
        parts.append(
            table(
                "Variants",
                [
                    (
                        f"{v['variant']}: {v['subject']}",
                        f"{v['sent']} sent, {100 * v['open_rate']:.1f}% opened, "
                        f"{100 * v['click_rate']:.1f}% clicked",
                    )
                    for v in r["variants"]
                ],
            )
        )
    if r["links"]:
        parts.append(table("Clicks per link", [(x["url"], x["clicks"]) for x in r["links"]]))
    style = (
        "body{font-family:sans-serif;margin:32px;color:#212529}table{border-collapse:collapse}"
        "th,td{border:1px solid #dee2e6;padding:4px 10px;text-align:left}"
    )
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>"
        f"{html.escape(c.name)}</title><style>{style}</style></head><body>"
        + "".join(parts)
        + "</body></html>"
    )


def export(c: Campaign, r: dict, fmt: str) -> bytes:
    if fmt == "csv":
        return to_csv(c, r)
    from backend.reports.chromium import pdf

    return pdf(to_html(c, r))


def filename(c: Campaign, fmt: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", c.name.lower()).strip("-")[:60] or f"campaign-{c.id}"
    return f"{slug}.{fmt}"

"""The run's report: report.html (plotly charts, the SLO table, the ledger) and CSV stats.

stats.csv: per endpoint, latency from due (what users waited) and service time (what the
server took once asked) side by side: a gap between them is queueing, the overload that a
closed-model tool hides. timeline.csv: per window, offered and achieved rates, p50/p95/p99
by group, errors. Locust's own request stats are in locust_stats.csv."""

from __future__ import annotations

import csv
import html
from pathlib import Path

import plotly.graph_objects as go
import plotly.io as pio
from plotly.subplots import make_subplots

from backend.loadtest.histogram import Histogram

PCTS = (("p50", 50.0), ("p95", 95.0), ("p99", 99.0))


def write(out: Path, p, rec, raw: dict, summary: dict) -> None:
    _stats_csv(out / "stats.csv", rec)
    rows = _timeline(rec)
    _timeline_csv(out / "timeline.csv", rows, rec)
    (out / "report.html").write_text(_html(p, rec, raw, summary, rows))


def _stats_csv(path: Path, rec) -> None:
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(
            [
                "endpoint",
                "group",
                "requests",
                "errors",
                "p50_ms",
                "p95_ms",
                "p99_ms",
                "p99.9_ms",
                "max_ms",
                "service_p50_ms",
                "service_p99_ms",
            ]
        )
        for name, (group, n, e, due, service) in sorted(rec.endpoints.items()):
            d, s = due.summary(), service.summary()
            w.writerow(
                [
                    name,
                    group,
                    n,
                    e,
                    d["p50"],
                    d["p95"],
                    d["p99"],
                    d["p999"],
                    d["max"],
                    s["p50"],
                    s["p99"],
                ]
            )


def _timeline(rec) -> list[dict]:
    windows = sorted(set(rec.offered) | set(rec.achieved) | set(rec.latency))
    rows = []
    for w in windows:
        row = {
            "t": w * rec.window_s,
            "offered": dict(rec.offered.get(w, {})),
            "achieved": rec.achieved.get(w, 0) / rec.window_s,
            "errors": dict(rec.errors.get(w, {})),
            "latency": {},
        }
        for g, h in rec.latency.get(w, {}).items():
            row["latency"][g] = {k: h.percentile(q) for k, q in PCTS}
        rows.append(row)
    return rows


def _timeline_csv(path: Path, rows: list[dict], rec) -> None:
    scenarios = sorted({s for r in rows for s in r["offered"]})
    groups = sorted({g for r in rows for g in r["latency"]})
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(
            [
                "t_s",
                *[f"offered_{s}_per_s" for s in scenarios],
                "achieved_req_per_s",
                *[f"{g}_{k}_ms" for g in groups for k, _ in PCTS],
                *[f"{g}_errors" for g in groups],
            ]
        )
        for r in rows:
            w.writerow(
                [
                    r["t"],
                    *[r["offered"].get(s, 0) / rec.window_s for s in scenarios],
                    round(r["achieved"], 2),
                    *[round(r["latency"].get(g, {}).get(k, 0), 2) for g in groups for k, _ in PCTS],
                    *[r["errors"].get(g, 0) for g in groups],
                ]
            )


def _figure(rec, rows: list[dict]) -> go.Figure:
    fig = make_subplots(
        rows=4,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.06,
        subplot_titles=(
            "Rate: arrivals offered by scenario and requests achieved (/s)",
            "Latency from due, by group (ms, log)",
            "Failed requests by group",
            "Counting lag: oldest acknowledged event not yet counted (s)",
        ),
    )
    t = [r["t"] for r in rows]
    for s in sorted({s for r in rows for s in r["offered"]}):
        fig.add_scatter(
            x=t,
            y=[r["offered"].get(s, 0) / rec.window_s for r in rows],
            name=f"offered {s}",
            row=1,
            col=1,
            stackgroup="offered",
        )
    fig.add_scatter(
        x=t,
        y=[r["achieved"] for r in rows],
        name="achieved requests",
        row=1,
        col=1,
        line={"color": "black"},
    )
    for g in sorted({g for r in rows for g in r["latency"]}):
        for k, _ in PCTS:
            fig.add_scatter(
                x=t,
                y=[r["latency"].get(g, {}).get(k) for r in rows],
                name=f"{g} {k}",
                row=2,
                col=1,
                line={"dash": {"p50": "dot", "p95": "dash", "p99": "solid"}[k]},
            )
        fig.add_bar(x=t, y=[r["errors"].get(g, 0) for r in rows], name=f"{g} errors", row=3, col=1)
    lag = rec.lag_samples
    fig.add_scatter(x=[s[0] for s in lag], y=[s[1] for s in lag], name="counting lag", row=4, col=1)
    fig.update_yaxes(type="log", row=2, col=1)
    fig.update_xaxes(title_text="seconds into the run", row=4, col=1)
    fig.update_layout(height=1100, template="plotly_white", legend={"orientation": "h"})
    return fig


def _table(head: list[str], rows: list[list]) -> str:
    th = "".join(f"<th scope='col'>{html.escape(str(h))}</th>" for h in head)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def _html(p, rec, raw: dict, summary: dict, rows: list[dict]) -> str:
    checks = _table(
        ["objective", "limit", "measured", "verdict"],
        [
            [
                c["name"],
                f"{c['limit']:,g} {c['unit']}",
                f"{c['actual']:,.4g} {c['unit']}",
                "held" if c["held"] else "BROKE",
            ]
            for c in summary["checks"]
        ],
    )
    ledger_rows = [[m, f"{v[0]:,}", f"{v[1] / 100:,.2f}"] for m, v in sorted(rec.ledger.items())]
    ledger = _table(["metric", "acknowledged events", "revenue"], ledger_rows)
    diffs = "".join(f"<li>{html.escape(d)}</li>" for d in summary["ledger_differences"])
    eps = _table(
        ["endpoint", "group", "requests", "errors", "p50", "p95", "p99", "p99.9", "service p99"],
        [
            [
                n,
                g,
                f"{r:,}",
                f"{e:,}",
                *[f"{d.summary()[k]:,.1f}" for k in ("p50", "p95", "p99", "p999")],
                f"{s.percentile(99):,.1f}",
            ]
            for n, (g, r, e, d, s) in sorted(rec.endpoints.items())
        ],
    )
    ramp = ""
    if raw["ramp"]:
        ramp = "<h2>Ramp steps</h2>" + _table(
            ["step", "rate multiple", "seconds", "verdict"],
            [
                [
                    s["step"],
                    f"x{s['multiple']:g}",
                    f"{s['start']:g}-{s['end']:g}",
                    "held" if s["held"] else "broke: " + "; ".join(s["breaches"]),
                ]
                for s in raw["ramp"]
            ],
        )
    failures = "".join(
        f"<li>{html.escape(k)}: {n:,}</li>"
        for k, n in sorted(rec.failures.items(), key=lambda kv: -kv[1])[:20]
    )
    gen = rec.generator_lag if isinstance(rec.generator_lag, Histogram) else Histogram()
    chart = pio.to_html(_figure(rec, rows), include_plotlyjs=True, full_html=False)
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Load test {html.escape(p.name)}</title>
<style>body{{font-family:system-ui,sans-serif;margin:2rem;max-width:1200px}}
table{{border-collapse:collapse;margin:1rem 0}}td,th{{border:1px solid #ccc;padding:.3rem .6rem;
text-align:right}}td:first-child,th:first-child{{text-align:left}}</style></head><body>
<h1>Load test: {html.escape(p.name)}</h1>
<p><strong>{html.escape(summary["verdict"])}</strong></p>
<p>Target {html.escape(summary["target"])}; {summary["requests"]:,} requests in
{summary["duration_s"]:,.1f} s; counting lag {summary["counting_lag_s"]:,.1f} s (drained
{summary["drain_s"]:,.1f} s after the last request); the generator's own delay (due to sent)
p99 {gen.percentile(99):,.1f} ms: when that is large, the generator, not the server, was short
of CPU.</p>
<h2>Objectives</h2>{checks}{ramp}
<h2>Ledger</h2>{ledger}<p>/v1 calls sent again after the run (no answer the first time):
{rec.retried[0]:,} acknowledged, {rec.retried[1]:,} not; events in doubt:
{html.escape(str(summary.get("in_doubt") or "none"))}.</p><ul>{diffs or "<li>every acknowledged event was counted once</li>"}</ul>
<h2>Charts</h2>{chart}
<h2>Endpoints (ms, from due; service time is from sent)</h2>{eps}
<h2>Failures</h2><ul>{failures or "<li>none</li>"}</ul>
<p>CSV: stats.csv, timeline.csv, locust_stats.csv, locust_failures.csv; raw.json.</p>
</body></html>"""

"""Settings › Predictions: whether the account's data passes each gate (with its figure), the
fit's status and model, a refresh with progress, and the holdout backtest chart."""

from __future__ import annotations

import dash_mantine_components as dmc
from dash import Input, Output, callback, ctx, dcc, html, no_update

from backend.predictions import gates, service
from components.context import account_id, runtime
from components.dashboard.card import GRAPH_CONFIG
from components.format import ago, when
from components.predictions.figures import backtest
from components.predictions.insights import insight_cards

GATE_TITLES = gates.TITLES
STATUS = {
    "not_fitted": ("Not fitted yet", "gray"),
    "fitting": ("Fitting", "blue"),
    "ready": ("Ready", "green"),
    "not_enough_data": ("Not enough data", "orange"),
}


def _status() -> dict:
    service.reap(runtime().db, account_id())  # a fit whose process died shows as failed
    with runtime().db.session() as s:
        return service.status(s, account_id())


def _gates(gates: list[dict]) -> html.Ul:
    return html.Ul(
        [
            html.Li(
                [
                    html.Span("✓ " if g["met"] else "✗ ", **{"aria-hidden": "true"}),
                    html.Strong(GATE_TITLES.get(g["name"], g["name"])),
                    html.Span(" — met: " if g["met"] else " — not met: "),
                    g["detail"],
                ],
                className="gate-met" if g["met"] else "gate-unmet",
                id=f"predictions-gate-{g['name']}",
            )
            for g in gates
        ],
        className="predictions-gates",
        **{"aria-label": "Data gates"},
    )


def _model(model: dict) -> dmc.Text:
    bg, gg = model.get("bgnbd", {}), model.get("gamma_gamma", {})
    return dmc.Text(
        "Model: BG/NBD purchases (r {r:.3f}, α {alpha:.2f} weeks, a {a:.3f}, b {b:.3f}) and "
        "Gamma-Gamma spend (p {p:.2f}, q {q:.2f}, v {v:.2f}); fitted in {secs} s.".format(
            **bg, **gg, secs=model.get("fit_seconds", "?")
        ),
        size="sm",
        c="dimmed",
    )


def _backtest(trial: dict | None) -> html.Div:
    if not trial:
        return html.Div()
    err = trial.get("error")
    summary = (
        f"Fitted on orders before {when(trial['calibration_end'])}, then asked to predict the "
        f"next {trial['holdout_days']:.0f} days of {trial['customers']:,} customers: predicted "
        f"{trial['predicted_total']:,.0f} orders, {trial['actual_total']:,.0f} happened."
    )
    return html.Div(
        [
            html.H3("Backtest", className="section-subtitle"),
            dmc.Text(summary, size="sm"),
            dmc.Text(
                f"Error: {err * 100:.1f}% (bucket averages' distance from what happened, "
                "weighted by customers)."
                if err is not None
                else "Error: no orders happened in the holdout to compare with.",
                size="sm",
                fw=600,
                id="predictions-backtest-error",
            ),
            html.Figure(
                [
                    dcc.Graph(
                        figure=backtest(trial), config=GRAPH_CONFIG, id="predictions-backtest-chart"
                    ),
                    html.Figcaption(
                        "Predicted (blue) against actual (orange) orders per customer in the "
                        "holdout, by the orders each customer had placed before it.",
                        className="muted",
                    ),
                ],
                style={"margin": 0},
            ),
        ]
    )


def body(st: dict) -> list:
    label, colour = STATUS[st["status"]]
    head = dmc.Group(
        [
            dmc.Badge(label, color=colour, id="predictions-status"),
            html.Span(
                f"{st['customers']:,} customers in the last fit, {ago(st['fitted_at'])}"
                if st["fitted_at"]
                else "Never fitted",
                className="muted",
                title=when(st["fitted_at"]),
            ),
        ]
    )
    out: list = [head]
    if st.get("error"):
        out.append(
            dmc.Alert(
                st["error"],  # what failed, what is still shown, what to do (failures.py)
                color="red",
                title="The last fit failed",
                id="predictions-error",
            )
        )
    if st["status"] == "fitting" and st.get("progress"):
        p = st["progress"]
        out.append(
            html.Div(
                [
                    dmc.Progress(
                        value=round(p["fraction"] * 100),
                        animated=True,
                        id="predictions-progress",
                        **{"aria-label": "Fit progress"},
                    ),
                    dmc.Text(
                        "Waiting for the background jobs to start the fit"
                        if p["step"] == "queued"
                        else p["step"] or "working",
                        size="xs",
                        c="dimmed",
                    ),
                ]
            )
        )
    if st["status"] == "not_fitted":
        out.append(
            dmc.Text(
                "Predictions are fitted every night from your Placed Order events. "
                "Press Refresh to fit now and see whether your data is enough.",
                size="sm",
            )
        )
    if st["gates"]:
        out.append(_gates(st["gates"]))
    if st["status"] == "not_enough_data":
        out.append(
            dmc.Text(
                "Profiles show no predictions until every gate is met; the nightly fit "
                "checks again as orders come in.",
                size="sm",
            )
        )
    if st["model"]:
        out.append(_model(st["model"]))
    out.append(_backtest(st.get("backtest")))
    if st["status"] == "ready" or (st["status"] == "fitting" and st["fitted_at"]):
        with runtime().db.session() as s:
            out.append(insight_cards(s, account_id()))
    return out


def section() -> dmc.Paper:
    st = _status()
    return dmc.Paper(
        html.Section(
            [
                html.H2("Predictions", className="section-title", id="settings-pred-title"),
                dmc.Text(
                    "Customer lifetime value, expected orders, churn risk and next order date "
                    "for every profile, from each customer's order history (BG/NBD and "
                    "Gamma-Gamma models). Predicted figures cover the next 365 days.",
                    size="sm",
                    c="dimmed",
                    mb="md",
                ),
                dmc.Button("Refresh predictions", id="predictions-refresh", mb="sm"),
                html.Div(
                    id="predictions-notice",
                    role="status",
                    className="notice",
                    **{"aria-live": "polite"},
                ),
                html.Div(body(st), id="predictions-body"),
                dcc.Interval(
                    id="predictions-poll", interval=1500, disabled=st["status"] != "fitting"
                ),
            ],
            **{"aria-labelledby": "settings-pred-title"},
        ),
        p="lg",
        withBorder=True,
        radius="md",
    )


@callback(
    Output("predictions-body", "children"),
    Output("predictions-poll", "disabled"),
    Output("predictions-notice", "children"),
    Input("predictions-refresh", "n_clicks"),
    Input("predictions-poll", "n_intervals"),
    prevent_initial_call=True,
)
def refresh(_clicks, _ticks):
    notice = no_update
    if ctx.triggered_id == "predictions-refresh":
        try:
            service.request_refresh(runtime().db, account_id())
            notice = "Refresh asked for: the fit runs in the background."
        except service.AlreadyFitting as exc:
            notice = str(exc)
    st = _status()
    return body(st), st["status"] != "fitting", notice

"""CSV import into a list: choose whether it means consent, pick a file, Import. The rows
run in a worker thread (backend/lists/imports.py); an interval polls the import and draws
a progress bar (rows done of total), then the outcome and the rejected rows, with their
CSV. The members and growth above redraw when it finishes (list-members-refresh)."""

from __future__ import annotations

import base64

import dash_mantine_components as dmc
from dash import Input, Output, State, callback, dcc, html, no_update

from backend.errors import Invalid
from backend.lists import imports
from components.context import account_id, runtime
from components.dashboard.numbers import full
from components.item_list import problem

POLL_MS = 700


def _progress(imp: dict) -> list:
    total, done = imp["total"] or 1, imp["done"]
    pct = round(100 * done / total)
    finished = imp["status"] in ("done", "failed")
    parts = [
        dmc.Text(
            f"{imp['filename']}: {full(done)} of {full(imp['total'])} rows"
            + (" done." if imp["status"] == "done" else "…"),
            size="sm",
            id="list-import-progress-text",
        ),
        dmc.Progress(
            value=pct,
            id="list-import-progress",
            animated=not finished,
            color="red" if imp["status"] == "failed" else "blue",
            **{"aria-label": f"Import progress: {done} of {imp['total']} rows"},
        ),
    ]
    if imp["status"] == "failed":
        parts.append(
            dmc.Alert(imp["error"] or "The import stopped.", title="Import failed", color="red")
        )
    if finished and imp["status"] == "done":
        parts.append(_outcome(imp))
    return parts


def _outcome(imp: dict) -> html.Div:
    words = (
        f"{full(imp['joined'])} joined, {full(imp['existing'])} were already members, "
        f"{full(imp['created'])} new profiles, {full(imp['rejected'])} rejected."
    )
    parts: list = [dmc.Text(words, size="sm", id="list-import-outcome")]
    if imp["rejected_rows"]:
        rows = [
            html.Tr(
                [html.Td(r["row"]), html.Td(r["email"] or "—"), html.Td(r["reason"])],
                className="list-reject-row",
            )
            for r in imp["rejected_rows"]
        ]
        head = html.Tr([html.Th(h, scope="col") for h in ("Row", "E-mail", "Why")])
        more = imp["rejected"] - len(rows)
        parts += [
            html.H3("Rejected rows", className="section-title"),
            html.Div(
                dmc.Table([html.Thead(head), html.Tbody(rows)], id="list-rejects", striped=True),
                className="table-scroll",
            ),
            html.A(
                "Download all rejected rows (CSV)"
                + (f": {full(more)} more than shown" if more > 0 else ""),
                href=f"/lists/{imp['list_id']}/imports/{imp['id']}/rejected.csv",
                id="list-rejects-download",
                download=f"import-{imp['id']}-rejected.csv",
            ),
        ]
    return html.Div(parts)


def importer(list_id: int) -> html.Div:
    with runtime().db.session() as s:
        last = imports.latest(s, account_id(), list_id)
        last_json = imports.to_json(s, last) if last else None
    running = bool(last_json and last_json["status"] in ("queued", "running"))
    return html.Div(
        [
            html.H2("Import a CSV", className="section-title"),
            dmc.Text(
                "The first row names the columns: email (required), first_name, last_name, "
                "phone, and any other column becomes a trait of the profile.",
                size="sm",
                c="dimmed",
            ),
            dmc.Checkbox(
                id="list-import-consent",
                label="These people agreed to receive marketing e-mail (subscribes them; "
                "never those who unsubscribed)",
                mt="xs",
            ),
            # The label wraps the upload so its file input has a name for screen readers.
            html.Label(
                [
                    html.Span("CSV file", className="visually-hidden"),
                    dcc.Upload(
                        html.Div(["Drop a CSV file here, or ", html.U("choose one")]),
                        id="list-import-file",
                        accept=".csv,text/csv",
                        max_size=8 * 1024 * 1024,
                        className="upload-zone",
                        style={
                            "border": "1px dashed #adb5bd",
                            "padding": "16px",
                            "margin": "8px 0",
                        },
                    ),
                ],
                style={"display": "block"},
            ),
            html.Div(id="list-import-chosen", role="status"),
            dmc.Button("Import", id="list-import-start", disabled=True),
            html.Div(id="list-import-problem", role="alert"),
            dcc.Store(
                id="list-import-id", data={"list": list_id, "import": last_json and last_json["id"]}
            ),
            dcc.Store(id="list-members-refresh"),
            dcc.Interval(id="list-import-poll", interval=POLL_MS, disabled=not running),
            html.Div(
                _progress(last_json) if last_json else [],
                id="list-import-status",
                role="region",
                **{"aria-live": "polite", "aria-label": "Import progress"},
            ),
        ]
    )


@callback(
    Output("list-import-chosen", "children"),
    Output("list-import-start", "disabled"),
    Input("list-import-file", "filename"),
    prevent_initial_call=True,
)
def chosen(filename):
    if not filename:
        return "", True
    return f"Chosen: {filename}", False


@callback(
    Output("list-import-id", "data"),
    Output("list-import-poll", "disabled", allow_duplicate=True),
    Output("list-import-problem", "children"),
    Output("list-import-status", "children", allow_duplicate=True),
    Input("list-import-start", "n_clicks"),
    State("list-import-file", "contents"),
    State("list-import-file", "filename"),
    State("list-import-consent", "checked"),
    State("list-import-id", "data"),
    prevent_initial_call=True,
)
def start(_n, contents, filename, consent, state):
    if not contents:
        return no_update, no_update, "Choose a CSV file first.", no_update
    data = base64.b64decode(contents.split(",", 1)[1])
    rt = runtime()
    try:
        import_id = imports.create(rt, account_id(), state["list"], data, filename, bool(consent))
    except Invalid as exc:
        return no_update, no_update, problem("Not imported", exc, "list-import"), no_update
    imports.start(rt, import_id)
    with rt.db.session() as s:
        imp = imports.to_json(s, imports.get(s, account_id(), state["list"], import_id))
    return {**state, "import": import_id}, False, "", _progress(imp)


@callback(
    Output("list-import-status", "children"),
    Output("list-import-poll", "disabled"),
    Output("list-members-refresh", "data"),
    Input("list-import-poll", "n_intervals"),
    State("list-import-id", "data"),
    prevent_initial_call=True,
)
def poll(_n, state):
    if not state.get("import"):
        return no_update, True, no_update
    with runtime().db.session() as s:
        imp = imports.to_json(s, imports.get(s, account_id(), state["list"], state["import"]))
    finished = imp["status"] in ("done", "failed")
    return _progress(imp), finished, imp["id"] if finished else no_update

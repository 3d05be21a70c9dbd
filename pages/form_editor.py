"""One form: edit it with a live preview at desktop and mobile widths, save, publish."""

from __future__ import annotations

import dash
import dash_mantine_components as dmc
from dash import ALL, Input, Output, Patch, State, callback, ctx, html, no_update

from backend.forms import service
from backend.forms.competition import competitors, warning
from backend.forms.schema import FormInvalid, validate
from components.context import account_id, runtime
from components.forms.editor import SCALARS, controls, read_scalars
from components.forms.fields_editor import PROPS, fid, field_row, read_fields
from components.forms.preview import preview_frames, srcdoc
from components.forms.problems import readable

dash.register_page(
    __name__, path_template="/forms/<form_id>", name="Form editor", title="Form · Tally", nav=False
)

_FIELD_STATES = [State(fid(p, ALL), "checked" if p == "required" else "value") for p in PROPS]


def layout(form_id: str = "", **_):
    try:
        with runtime().db.session() as s:
            form = service.to_json(service.get(s, account_id(), int(form_id)))
    except (ValueError, service.FormNotFound):
        return dmc.Alert(
            "No such form in this account.", title="Not found", color="red", id="fe-missing"
        )
    return dmc.Stack(
        [
            dmc.Group(
                [
                    html.H1(form["name"], className="page-title", id="fe-heading"),
                    dmc.Badge(
                        form["status"],
                        id="fe-status",
                        variant="light",
                        color="green" if form["status"] == "live" else "gray",
                    ),
                ]
            ),
            dmc.Group(
                [
                    dmc.Button("Save draft", id="fe-save"),
                    dmc.Button("Publish", id="fe-publish", color="green"),
                    dmc.Button("Unpublish", id="fe-unpublish", variant="subtle", color="gray"),
                    html.Div(id="fe-notice", role="status", **{"aria-live": "polite"}),
                ]
            ),
            html.Div(form["id"], id="fe-form-id", hidden=True),
            dmc.Grid(
                [
                    dmc.GridCol(controls(form), span={"base": 12, "lg": 5}),
                    dmc.GridCol(
                        [
                            html.Div(id="fe-problems-wrap"),
                            html.Div(preview_frames(srcdoc(form["id"], form)), id="fe-preview"),
                        ],
                        span={"base": 12, "lg": 7},
                    ),
                ]
            ),
        ]
    )


def _definition(scalars: list, field_values: list, titles: str | None) -> dict:
    d = read_scalars(scalars)
    d["fields"], d["steps"] = read_fields(dict(zip(PROPS, field_values, strict=True)))
    for step, title in zip(d["steps"], (titles or "").splitlines(), strict=False):
        step["title"] = title.strip()
    return d


def _problems(exc: FormInvalid, definition: dict) -> dmc.Alert:
    lines = readable(exc.problems, definition.get("fields") or [])
    return dmc.Alert(
        html.Ul([html.Li(line) for line in lines]),
        title="Not valid yet",
        color="red",
        id="fe-problems",
    )


@callback(
    Output("fe-fields", "children"),
    Input("fe-field-add", "n_clicks"),
    Input({"type": "fe-field-remove", "index": ALL}, "n_clicks"),
    State({"type": "fe-field-row", "index": ALL}, "id"),
    prevent_initial_call=True,
)
def edit_rows(_add, _remove, row_ids):
    patch = Patch()
    if ctx.triggered_id == "fe-field-add":
        nxt = max([r["index"] for r in row_ids], default=-1) + 1
        patch.append(field_row(nxt, {"name": f"field_{nxt}", "type": "text", "label": "New field"}))
        return patch
    if not (ctx.triggered and ctx.triggered[0]["value"]):
        return no_update
    position = [r["index"] for r in row_ids].index(ctx.triggered_id["index"])
    del patch[position]
    return patch


@callback(
    Output("fe-preview-desktop", "srcDoc"),
    Output("fe-preview-mobile", "srcDoc"),
    Output("fe-problems-wrap", "children"),
    [Input(cid, prop) for cid, prop, _ in SCALARS]
    + [Input(fid(p, ALL), "checked" if p == "required" else "value") for p in PROPS]
    + [Input("fe-step-titles", "value")],
    State("fe-form-id", "children"),
)
def refresh_preview(*args):
    *values, titles, form_id = args
    scalars, fields = values[: len(SCALARS)], values[len(SCALARS) :]
    draft = _definition(scalars, fields, titles)
    try:
        definition = validate(draft)
    except FormInvalid as exc:
        return no_update, no_update, _problems(exc, draft)
    doc = srcdoc(int(form_id), definition)
    return doc, doc, None


@callback(
    Output("fe-notice", "children"),
    Output("fe-status", "children"),
    Output("fe-heading", "children"),
    Input("fe-save", "n_clicks"),
    Input("fe-publish", "n_clicks"),
    Input("fe-unpublish", "n_clicks"),
    [State(cid, prop) for cid, prop, _ in SCALARS] + _FIELD_STATES,
    State("fe-step-titles", "value"),
    State("fe-form-id", "children"),
    prevent_initial_call=True,
)
def save(_save, _publish, _unpublish, *args):
    *values, titles, form_id = args
    body = _definition(values[: len(SCALARS)], values[len(SCALARS) :], titles)
    try:
        with runtime().db.session() as s:
            form = service.update(s, account_id(), int(form_id), body)
            if ctx.triggered_id == "fe-publish":
                service.publish(s, account_id(), form.id)
            elif ctx.triggered_id == "fe-unpublish":
                service.unpublish(s, account_id(), form.id)
            out = service.to_json(form)
            rivals = (
                competitors(s, account_id(), form.id) if ctx.triggered_id == "fe-publish" else []
            )
    except FormInvalid as exc:
        return _problems(exc, body), no_update, no_update
    what = {"fe-publish": "Published version", "fe-unpublish": "Taken off storefronts; draft"}.get(
        ctx.triggered_id, "Saved version"
    )
    saved = dmc.Text(f"{what} {out['version']}.", c="green", id="fe-saved")
    clash = warning(out, rivals)
    return (
        [saved, dmc.Alert(clash, color="yellow", id="fe-competes", mt="xs")] if clash else saved,
        out["status"],
        out["name"],
    )

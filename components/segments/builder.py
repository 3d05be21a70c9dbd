"""The segment builder: AND-groups of OR-ed condition rows, each row's inputs by its type,
and the live count (debounced) with a few sample members. Callbacks beside the layout.

The draft (components/segments/draft.py) lives in the `seg-draft` store; inputs carry
pattern ids {"type": "seg-f", "g": group, "c": row, "k": key}."""

from __future__ import annotations

import dash_mantine_components as dmc
from dash import ALL, Input, Output, State, callback, ctx, dcc, html, no_update

from backend.errors import Invalid
from backend.segments import service
from backend.segments.definition import EMAIL_STATUSES, PREDICTION_OPS
from components.context import account_id, runtime
from components.dashboard.numbers import full
from components.segments import where
from components.segments.draft import (
    METRIC_OPS,
    NEW_ROW,
    PROPERTY_OPS,
    TYPE_LABELS,
    WINDOWS,
    to_definition,
)
from components.segments.labels import prediction_label


def _fid(g: int, c: int, k: str) -> dict:
    return {"type": "seg-f", "g": g, "c": c, "k": k}


def _select(g, c, k, label, data, value, w=180, **kw):
    return dmc.Select(
        id=_fid(g, c, k),
        label=label,
        data=[{"value": str(v), "label": str(lbl)} for v, lbl in data],
        value=None if value is None else str(value),
        size="xs",
        w=w,
        allowDeselect=False,
        **kw,
    )


def _text(g, c, k, label, value, w=160, placeholder=None):
    return dmc.TextInput(
        id=_fid(g, c, k),
        label=label,
        value="" if value is None else str(value),
        size="xs",
        w=w,
        debounce=500,
        placeholder=placeholder,
    )


def _pairs(names) -> list[tuple[str, str]]:
    return [(n, n) for n in names]


def _fields(g: int, c: int, row: dict, opts: dict) -> list:
    kind = row.get("type")
    if kind == "metric":
        out = [
            _select(
                g,
                c,
                "metric",
                "Metric",
                _pairs(opts["metrics"]),
                row.get("metric"),
                200,
                searchable=True,
                placeholder="Pick a metric",
            ),
            _select(
                g,
                c,
                "measure",
                "Measure",
                [("count", "times"), ("revenue", "revenue")],
                row.get("measure") or "count",
                110,
            ),
            _select(g, c, "op", "Is", METRIC_OPS.items(), row.get("op") or "gte", 120),
            _text(g, c, "value", "Value", row.get("value"), 90),
            _select(g, c, "window", "When", WINDOWS.items(), row.get("window") or "days", 180),
        ]
        window = row.get("window") or "days"
        if window == "days":
            out.append(_text(g, c, "days", "Days", row.get("days"), 80))
        if window in ("since", "between"):
            out.append(_text(g, c, "since", "From (YYYY-MM-DD)", row.get("since"), 150))
        if window == "between":
            out.append(_text(g, c, "until", "To (YYYY-MM-DD)", row.get("until"), 150))
        return out
    if kind in ("property", "prediction"):
        if kind == "property":
            fields = [("email", "e-mail"), ("country", "country"), ("created", "created")]
            fields += [(f"traits.{t}", t) for t in opts["traits"]]
            field = row.get("field")
            if field and field not in dict(fields):
                fields.append((field, field))
        else:
            fields = [(f, prediction_label(f)) for f in opts["predictions"]]
        op = row.get("pop") or "eq"
        ops = [(k, v) for k, v in PROPERTY_OPS.items() if kind == "property" or k in PREDICTION_OPS]
        out = [
            _select(
                g,
                c,
                "field",
                "Field",
                fields,
                row.get("field"),
                200,
                searchable=True,
                placeholder="Pick a field",
            ),
            _select(g, c, "pop", "Condition", ops, op, 200),
        ]
        if op not in ("exists", "not_exists"):
            out.append(_text(g, c, "text", "Value", row.get("text"), 200))
        return out
    if kind == "list":
        return [
            _select(
                g,
                c,
                "member",
                "Is",
                [("yes", "in"), ("no", "not in")],
                row.get("member", "yes"),
                100,
            ),
            _select(
                g,
                c,
                "list",
                "List",
                _pairs(opts["lists"]),
                row.get("list"),
                220,
                placeholder="Pick a list",
            ),
        ]
    if kind == "segment":
        return [
            _select(
                g,
                c,
                "member",
                "Is",
                [("yes", "in"), ("no", "not in")],
                row.get("member", "yes"),
                100,
            ),
            _select(
                g,
                c,
                "segment",
                "Segment",
                [(x["id"], x["name"]) for x in opts["segments"]],
                row.get("segment"),
                220,
                placeholder="Pick a segment",
            ),
        ]
    return [
        dmc.MultiSelect(
            id=_fid(g, c, "in"),
            label="Status is any of",
            data=[{"value": x, "label": x.replace("_", " ")} for x in EMAIL_STATUSES],
            value=list(row.get("in") or []),
            size="xs",
            w=360,
        )
    ]


def _row(g: int, c: int, row: dict, opts: dict) -> html.Div:
    types = [(k, v) for k, v in TYPE_LABELS.items() if k != "prediction" or opts["predictions"]]
    return html.Div(
        [
            dmc.Group(
                [
                    _select(g, c, "type", "Condition type", types, row.get("type"), 190),
                    *_fields(g, c, row, opts),
                    dmc.Button(
                        "Remove",
                        id={"type": "seg-rm", "g": g, "c": c},
                        variant="subtle",
                        color="red",
                        size="xs",
                        **{"aria-label": f"Remove condition {c + 1} of group {g + 1}"},
                    ),
                ],
                align="flex-end",
                gap="xs",
            ),
            *([where.block(g, c, row)] if row.get("type") == "metric" else []),
        ],
        className="segment-condition",
    )


def render(draft: list, opts: dict) -> list:
    """The groups: rows OR-ed inside a group, groups AND-ed."""
    out = []
    for g, group in enumerate(draft):
        if g:
            out.append(dmc.Divider(label="AND", labelPosition="center"))
        rows = []
        for c, row in enumerate(group):
            if c:
                rows.append(dmc.Text("OR", size="xs", fw=700, c="dimmed"))
            rows.append(_row(g, c, row, opts))
        rows.append(
            dmc.Button(
                "+ OR",
                id={"type": "seg-or", "g": g},
                variant="light",
                size="xs",
                w=80,
                **{"aria-label": f"Add an OR condition to group {g + 1}"},
            )
        )
        out.append(
            html.Div(
                dmc.Paper(dmc.Stack(rows, gap="xs"), withBorder=True, p="sm"),
                role="group",
                **{"aria-label": f"Condition group {g + 1}"},
            )
        )
    return out


def builder(draft: list, opts: dict) -> dmc.Stack:
    return dmc.Stack(
        [
            dcc.Store(id="seg-draft", data=draft),
            dcc.Store(id="seg-options", data=opts),
            html.Div(render(draft, opts), id="seg-groups"),
            dmc.Group([dmc.Button("+ AND group", id="seg-and", variant="outline", size="xs")]),
            html.Div(id="seg-preview", role="status", **{"aria-live": "polite"}),
        ],
        gap="sm",
    )


@callback(
    Output("seg-draft", "data"),
    Output("seg-groups", "children"),
    Input("seg-and", "n_clicks"),
    Input({"type": "seg-or", "g": ALL}, "n_clicks"),
    Input({"type": "seg-rm", "g": ALL, "c": ALL}, "n_clicks"),
    Input({"type": "seg-f", "g": ALL, "c": ALL, "k": ALL}, "value"),
    Input({"type": "seg-w", "g": ALL, "c": ALL, "w": ALL, "k": ALL}, "value"),
    Input({"type": "seg-w-add", "g": ALL, "c": ALL}, "n_clicks"),
    Input({"type": "seg-w-rm", "g": ALL, "c": ALL, "w": ALL}, "n_clicks"),
    State("seg-draft", "data"),
    State("seg-options", "data"),
    prevent_initial_call=True,
)
def edit(_and, _or, _rm, values, where_values, _wadd, _wrm, draft, opts):
    """Every edit: values into the draft. The groups re-render only when their shape changes
    (a row added or removed, a type, window or condition that shows other inputs), so typing
    keeps focus and a re-render, changing nothing, never triggers another."""
    old = [[dict(r) for r in group] for group in draft or []]
    draft = [[dict(r) for r in group] for group in old]
    for item, value in zip(ctx.inputs_list[3], values, strict=False):
        i = item["id"]
        if i["g"] < len(draft) and i["c"] < len(draft[i["g"]]):
            draft[i["g"]][i["c"]][i["k"]] = value
    trig = ctx.triggered_id
    clicked = bool(ctx.triggered and ctx.triggered[0].get("value"))
    where.apply(draft, ctx.inputs_list[4], where_values, trig, clicked)
    if trig == "seg-and" and clicked:
        draft.append([dict(NEW_ROW)])
    elif isinstance(trig, dict) and trig.get("type") == "seg-or" and clicked:
        draft[trig["g"]].append(dict(NEW_ROW))
    elif isinstance(trig, dict) and trig.get("type") == "seg-rm" and clicked:
        del draft[trig["g"]][trig["c"]]
        draft = [group for group in draft if group] or [[dict(NEW_ROW)]]
    if _shape(draft) == _shape(old):
        return draft, no_update
    return draft, render(draft, opts)


def _shape(draft: list) -> list:
    """What decides which inputs a row shows (with the defaults the rows render with)."""
    return [
        [
            (r.get("type"), r.get("window") or "days", r.get("pop") or "eq", where.shape(r))
            for r in group
        ]
        for group in draft
    ]


def preview_view(draft: list) -> list:
    try:
        with runtime().db.session() as s:
            out = service.preview(s, account_id(), {"conditions": to_definition(draft)}, sample=5)
    except Invalid as exc:
        return [
            dmc.Text("Finish the conditions to see who matches:", size="sm", fw=600),
            html.Ul([html.Li(str(p)) for p in exc.problems], className="seg-problems"),
        ]
    sample = out.get("sample") or []
    people = [
        html.Li(
            dcc.Link(p["email"] or p["external_id"] or f"#{p['id']}", href=f"/profiles/{p['id']}")
        )
        for p in sample
    ]
    return [
        dmc.Text(
            [
                html.Span(full(out["count"]), id="seg-count", className="seg-count"),
                " profiles match right now",
            ],
            size="lg",
            fw=600,
        ),
        html.Ul(people, **{"aria-label": "Sample members"}) if people else None,
    ]


@callback(Output("seg-preview", "children"), Input("seg-draft", "data"))
def live_count(draft):
    return preview_view(draft or [])

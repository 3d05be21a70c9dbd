"""A condition builder: rows over traits.*, event.*, country, predictions.* (with plain
labels), segment membership (the account's segments by name) and "did METRIC N times in D
days". Each row's inputs carry pattern ids {"type": "flow-cond", "scope", "i", "part"}."""

from __future__ import annotations

from typing import Any

import dash_mantine_components as dmc
from dash import html

from backend.segments.definition import PREDICTION_OPS
from backend.segments.options import predictions_ready
from components.context import account_id, runtime
from components.flows.catalog import OPS
from components.segments.labels import prediction_choices

FIELD_KINDS = [
    {"value": "traits", "label": "Profile trait"},
    {"value": "event", "label": "Event property"},
    {"value": "country", "label": "Country"},
    {"value": "predictions", "label": "Predicted value"},
    {"value": "segment", "label": "In a segment"},
    {"value": "metric", "label": "Did a metric"},
]
MEMBER = [{"value": "yes", "label": "is in"}, {"value": "no", "label": "is not in"}]
METRIC_OPS = [
    {"value": "gte", "label": "at least"},
    {"value": "lt", "label": "fewer than"},
    {"value": "eq", "label": "exactly"},
]


def _id(scope: str, i: int, part: str) -> dict:
    return {"type": "flow-cond", "scope": scope, "i": i, "part": part}


def _value_text(v: Any) -> str:
    if isinstance(v, list):
        return ", ".join(str(x) for x in v)
    return "" if v is None else str(v)


def condition_kind(c: dict) -> str:
    if "metric" in c:
        return "metric"
    if "segment" in c:
        return "segment"
    return str(c.get("field", "traits.")).split(".")[0]


def _segment_inputs(scope: str, i: int, c: dict, segments: list[dict]) -> list:
    data = list(segments)
    sid = c.get("segment")
    if sid is not None and str(sid) not in {d["value"] for d in data}:
        data.append({"value": str(sid), "label": f"Segment {sid} (deleted?)"})
    return [
        dmc.Select(
            id=_id(scope, i, "member"),
            label=f"Profile (condition {i + 1})",
            data=MEMBER,
            value="yes" if c.get("member", True) else "no",
            w=110,
            allowDeselect=False,
        ),
        dmc.Select(
            id=_id(scope, i, "segment"),
            label="Segment",
            data=data,
            value=None if sid is None else str(sid),
            placeholder="Pick a segment" if data else "No segments yet: create one first",
            searchable=True,
            w=200,
        ),
    ]


def _prediction_inputs(scope: str, i: int, c: dict) -> list:
    name = str(c.get("field", "")).partition(".")[2]
    return [
        dmc.Select(
            id=_id(scope, i, "name"),
            label=f"Prediction (condition {i + 1})",
            data=prediction_choices(),
            value=name or None,
            placeholder="Pick a prediction",
            w=200,
        ),
        dmc.Select(
            id=_id(scope, i, "op"),
            label="Test",
            data=[{"value": k, "label": OPS[k]} for k in PREDICTION_OPS],
            value=c.get("op") if c.get("op") in PREDICTION_OPS else "gt",
            w=110,
            allowDeselect=False,
        ),
        dmc.TextInput(
            id=_id(scope, i, "value"),
            label="Value",
            w=130,
            debounce=300,
            value=_value_text(c.get("value")),
            placeholder="0.6, or a date",
        ),
    ]


def _predictions_note() -> list:
    with runtime().db.session() as s:
        if predictions_ready(s, account_id()):
            return []
    return [
        html.P(
            "Predictions are not ready for this account yet (Settings → Predictions): until "
            "they are, a predicted value is not set for anyone, so only “is not set” and "
            "“is not” hold.",
            className="muted",
            role="note",
        )
    ]


def _row(
    scope: str, i: int, c: dict, metrics: list[str], event_only: bool, segments: list[dict]
) -> html.Div:
    kind = condition_kind(c)
    n = i + 1
    if kind == "segment":
        inputs = _segment_inputs(scope, i, c, segments)
    elif kind == "predictions":
        inputs = _prediction_inputs(scope, i, c)
    elif kind == "metric":
        inputs = [
            dmc.Select(
                id=_id(scope, i, "metric"),
                label=f"Metric (condition {n})",
                data=sorted(set(metrics) | ({c["metric"]} if c.get("metric") else set())),
                value=c.get("metric") or None,
                searchable=True,
                w=170,
            ),
            dmc.Select(
                id=_id(scope, i, "op"),
                label="How often",
                data=METRIC_OPS,
                value=c.get("op", "gte"),
                w=110,
                allowDeselect=False,
            ),
            dmc.NumberInput(
                id=_id(scope, i, "count"), label="Times", value=c.get("count", 1), min=0, w=80
            ),
            dmc.NumberInput(
                id=_id(scope, i, "days"), label="In days", value=c.get("days", 7), min=1, w=80
            ),
        ]
    else:
        name = str(c.get("field", "")).partition(".")[2]
        inputs = [
            dmc.TextInput(
                id=_id(scope, i, "name"),
                label=f"Name (condition {n})",
                value=name,
                placeholder="revenue" if kind == "event" else "first_name",
                w=130,
                disabled=kind == "country",
                debounce=300,
            ),
            dmc.Select(
                id=_id(scope, i, "op"),
                label="Test",
                data=[{"value": k, "label": v} for k, v in OPS.items()],
                value=c.get("op", "eq"),
                w=110,
                allowDeselect=False,
            ),
            dmc.TextInput(
                id=_id(scope, i, "value"),
                label="Value",
                w=130,
                debounce=300,
                value=_value_text(c.get("value")),
                placeholder="a, b for 'is one of'",
            ),
        ]
    kinds = [k for k in FIELD_KINDS if not event_only or k["value"] == "event"]
    return html.Div(
        dmc.Group(
            [
                dmc.Select(
                    id=_id(scope, i, "kind"),
                    label=f"Condition {n} on",
                    data=kinds,
                    value=kind,
                    w=140,
                    allowDeselect=False,
                ),
                *inputs,
                dmc.Button(
                    "Remove",
                    id={"type": "flow-cond-remove", "scope": scope, "i": i},
                    variant="subtle",
                    color="red",
                    size="xs",
                    **{"aria-label": f"Remove condition {n}"},
                ),
            ],
            gap=6,
            align="flex-end",
            wrap="wrap",
        ),
        className="fn-cond-row",
    )


def builder(
    scope: str,
    title: str,
    conds: list[dict],
    metrics: list[str],
    event_only: bool = False,
    segments: list[dict] | None = None,
) -> html.Fieldset:
    """segments: the account's, as [{"value": id as text, "label": name}]."""
    rows = [_row(scope, i, c, metrics, event_only, segments or []) for i, c in enumerate(conds)]
    if any(condition_kind(c) == "predictions" for c in conds):
        rows += _predictions_note()
    return html.Fieldset(
        [
            html.Legend(title),
            *(rows or [html.P("No conditions yet: add one.", className="muted")]),
            dmc.Button(
                "Add condition",
                id={"type": "flow-cond-add", "scope": scope},
                variant="light",
                size="xs",
                mt=6,
            ),
        ],
        className="fn-conds",
    )


def _parse_value(text: str, op: str) -> Any:
    def one(s: str) -> Any:
        s = s.strip()
        try:
            return int(s)
        except ValueError:
            try:
                return float(s)
            except ValueError:
                return s

    if op == "in":
        return [one(s) for s in (text or "").split(",") if s.strip()]
    return one(text or "")


def default_condition(kind: str) -> dict:
    if kind == "metric":
        return {"metric": "", "op": "gte", "count": 1, "days": 7}
    if kind == "country":
        return {"field": "country", "op": "eq", "value": ""}
    if kind == "segment":
        return {"segment": None, "member": True}
    if kind == "predictions":
        return {"field": "predictions.churn_probability", "op": "gt", "value": 0.6}
    return {"field": f"{kind}.", "op": "eq", "value": ""}


def read_conditions(parts: dict[int, dict[str, Any]]) -> list[dict]:
    """Rows of input values (by row index) back into docs/api.md conditions."""
    out = []
    for i in sorted(parts):
        p = parts[i]
        kind = p.get("kind") or "traits"
        if kind == "metric":
            if "metric" not in p:  # the kind was just switched: start a fresh row
                out.append(default_condition(kind))
                continue
            out.append(
                {
                    "metric": p.get("metric") or "",
                    "op": p.get("op") or "gte",
                    "count": int(p.get("count") or 0),
                    "days": int(p.get("days") or 1),
                }
            )
            continue
        if kind == "segment":
            if "segment" not in p:
                out.append(default_condition(kind))
                continue
            sid = str(p.get("segment") or "")
            out.append(
                {"segment": int(sid) if sid.isdigit() else None, "member": p.get("member") != "no"}
            )
            continue
        if "name" not in p:
            out.append(default_condition(kind))
            continue
        op = p.get("op") or "eq"
        field = "country" if kind == "country" else f"{kind}.{(p.get('name') or '').strip()}"
        cond: dict[str, Any] = {"field": field, "op": op}
        if op not in ("exists", "not_exists"):
            cond["value"] = _parse_value(p.get("value") or "", op)
        out.append(cond)
    return out

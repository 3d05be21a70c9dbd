"""A condition builder: rows over traits.*, event.*, country, and "did METRIC N times in D
days". Each row's inputs carry pattern ids {"type": "flow-cond", "scope", "i", "part"}."""

from __future__ import annotations

from typing import Any

import dash_mantine_components as dmc
from dash import html

from components.flows.catalog import OPS

FIELD_KINDS = [
    {"value": "traits", "label": "Profile trait"},
    {"value": "event", "label": "Event property"},
    {"value": "country", "label": "Country"},
    {"value": "metric", "label": "Did a metric"},
]
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


def _row(scope: str, i: int, c: dict, metrics: list[str], event_only: bool) -> html.Div:
    kind = "metric" if "metric" in c else str(c.get("field", "traits.")).split(".")[0]
    n = i + 1
    if kind == "metric":
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
    scope: str, title: str, conds: list[dict], metrics: list[str], event_only: bool = False
) -> html.Fieldset:
    rows = [_row(scope, i, c, metrics, event_only) for i, c in enumerate(conds)]
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
        if "name" not in p:
            out.append(default_condition(kind))
            continue
        op = p.get("op") or "eq"
        field = "country" if kind == "country" else f"{kind}.{(p.get('name') or '').strip()}"
        cond: dict[str, Any] = {"field": field, "op": op}
        if op != "exists":
            cond["value"] = _parse_value(p.get("value") or "", op)
        out.append(cond)
    return out

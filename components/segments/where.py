"""Event property filters of a metric condition ("Placed Order where category is shoes"):
rows of property, test and value under the condition, added and removed with buttons. The
property picker offers the names seen on the metric's latest events
(backend/segments/options.py), and keeps a saved name it no longer sees.

Inputs carry pattern ids {"type": "seg-w", "g", "c", "w", "k"}; the builder's edit callback
(components/segments/builder.py) writes them into the draft with `apply`."""

from __future__ import annotations

import dash_mantine_components as dmc
from dash import html

from backend.segments.options import event_properties
from components.context import account_id, runtime
from components.segments.draft import PROPERTY_OPS

NEW_FILTER = {"field": None, "pop": "eq", "text": ""}
ADD_REMOVE = ("seg-w-add", "seg-w-rm")


def _wid(g: int, c: int, w: int, k: str) -> dict:
    return {"type": "seg-w", "g": g, "c": c, "w": w, "k": k}


def _properties(metric: str | None) -> list[str]:
    if not metric:
        return []
    with runtime().db.session() as s:
        return event_properties(s, account_id(), metric)


def _filter_row(g: int, c: int, w: int, f: dict, names: list[str]) -> html.Div:
    where = f"filter {w + 1} of condition {c + 1} in group {g + 1}"
    data = list(names)
    if f.get("field") and f["field"] not in data:
        data.append(f["field"])
    op = f.get("pop") or "eq"
    inputs = [
        dmc.Select(
            id=_wid(g, c, w, "field"),
            label="Event property",
            data=data,
            value=f.get("field"),
            placeholder="Pick a property" if data else "No properties seen yet",
            searchable=True,
            size="xs",
            w=180,
            **{"aria-label": f"Event property of {where}"},
        ),
        dmc.Select(
            id=_wid(g, c, w, "pop"),
            label="Test",
            data=[{"value": k, "label": v} for k, v in PROPERTY_OPS.items()],
            value=op,
            allowDeselect=False,
            size="xs",
            w=190,
        ),
    ]
    if op not in ("exists", "not_exists"):
        inputs.append(
            dmc.TextInput(
                id=_wid(g, c, w, "text"),
                label="Value",
                value=f.get("text") or "",
                debounce=500,
                size="xs",
                w=160,
            )
        )
    inputs.append(
        dmc.Button(
            "Remove filter",
            id={"type": "seg-w-rm", "g": g, "c": c, "w": w},
            variant="subtle",
            color="red",
            size="xs",
            **{"aria-label": f"Remove {where}"},
        )
    )
    return dmc.Group(inputs, align="flex-end", gap="xs", className="segment-where-row")


def block(g: int, c: int, row: dict) -> html.Div:
    """The filters of the metric condition at (g, c), and the button adding one."""
    filters = row.get("where") or []
    names = _properties(row.get("metric")) if filters else []
    rows = [_filter_row(g, c, w, f, names) for w, f in enumerate(filters)]
    return html.Div(
        [
            *([dmc.Text("where the event's", size="xs", c="dimmed")] if rows else []),
            *rows,
            dmc.Button(
                "+ Event filter",
                id={"type": "seg-w-add", "g": g, "c": c},
                variant="subtle",
                size="xs",
                **{
                    "aria-label": f"Add an event property filter to condition {c + 1} "
                    f"of group {g + 1}"
                },
            ),
        ],
        className="segment-where",
        role="group",
        **{"aria-label": f"Event filters of condition {c + 1} in group {g + 1}"},
    )


def apply(draft: list, inputs: list, values: list, trig, clicked: bool) -> None:
    """Write the filter inputs' values into `draft`, then add or remove a filter row."""
    for item, value in zip(inputs, values, strict=False):
        i = item["id"]
        filters = _filters(draft, i["g"], i["c"])
        if filters is not None and i["w"] < len(filters):
            filters[i["w"]][i["k"]] = value
    if not isinstance(trig, dict) or not clicked or trig.get("type") not in ADD_REMOVE:
        return
    filters = _filters(draft, trig["g"], trig["c"])
    if filters is None:
        return
    if trig["type"] == "seg-w-add":
        filters.append(dict(NEW_FILTER))
    elif trig["w"] < len(filters):
        del filters[trig["w"]]


def _filters(draft: list, g: int, c: int) -> list | None:
    if g < len(draft) and c < len(draft[g]):
        row = draft[g][c]
        row["where"] = [dict(f) for f in row.get("where") or []]
        return row["where"]
    return None


def shape(row: dict) -> tuple:
    """What decides the filter inputs shown: how many, their tests, the metric's names."""
    filters = row.get("where") or []
    return (
        len(filters),
        tuple(f.get("pop") or "eq" for f in filters),
        row.get("metric") if filters else None,
    )

"""The form editor's controls, and reading them back into a definition (docs/api.md shape)."""

from __future__ import annotations

import dash_mantine_components as dmc
from dash import html

from backend.forms.schema import DEVICES, FONTS, KINDS
from components.forms.fields_editor import rows_for

# (component id, property, path in the definition): one table drives layout and reading.
SCALARS: list[tuple[str, str, tuple[str, ...]]] = [
    ("fe-name", "value", ("name",)),
    ("fe-kind", "value", ("kind",)),
    ("fe-list", "value", ("list",)),
    ("fe-double-opt-in", "checked", ("double_opt_in",)),
    ("fe-title", "value", ("texts", "title")),
    ("fe-description", "value", ("texts", "description")),
    ("fe-button", "value", ("texts", "button")),
    ("fe-success", "value", ("success_message",)),
    ("fe-bg", "value", ("style", "background")),
    ("fe-fg", "value", ("style", "text_color")),
    ("fe-btn", "value", ("style", "button_color")),
    ("fe-btnfg", "value", ("style", "button_text_color")),
    ("fe-font", "value", ("style", "font")),
    ("fe-radius", "value", ("style", "radius")),
    ("fe-image", "value", ("style", "image")),
    ("fe-delay", "value", ("targeting", "delay_seconds")),
    ("fe-scroll", "value", ("targeting", "scroll_percent")),
    ("fe-exit", "checked", ("targeting", "exit_intent")),
    ("fe-url", "value", ("targeting", "url_contains")),
    ("fe-device", "value", ("targeting", "device")),
    ("fe-countries", "value", ("targeting", "countries")),
    ("fe-priority", "value", ("targeting", "priority")),
    ("fe-hide-days", "value", ("frequency", "hide_days_after_close")),
    ("fe-hide-submit", "checked", ("frequency", "hide_after_submit")),
]


def _get(d: dict, path: tuple[str, ...]):
    for k in path:
        d = (d or {}).get(k)
    return d


def read_scalars(values: list) -> dict:
    out: dict = {}
    for (_id, _prop, path), value in zip(SCALARS, values, strict=True):
        node = out
        for k in path[:-1]:
            node = node.setdefault(k, {})
        if isinstance(value, str) and path[-1] in (
            "delay_seconds",
            "scroll_percent",
            "radius",
            "hide_days_after_close",
            "priority",
        ):
            value = int(value) if value.strip().isdigit() else value
        node[path[-1]] = "" if value is None and path[-1] not in ("countries",) else value
    out["targeting"]["countries"] = out["targeting"].get("countries") or []
    return out


def _section(title: str, children: list) -> dmc.AccordionItem:
    return dmc.AccordionItem(
        [dmc.AccordionControl(title), dmc.AccordionPanel(dmc.Stack(children, gap="xs"))],
        value=title.lower(),
    )


def _labelled(cid: str, label: str, data: list, value) -> list:
    """A SegmentedControl has no label of its own: a visible one, tied to it for screen
    readers (which otherwise hear three unexplained choices)."""
    return [
        dmc.Text(label, id=f"{cid}-label", size="sm", fw=500, mb=-6),
        dmc.SegmentedControl(id=cid, data=data, value=value, **{"aria-labelledby": f"{cid}-label"}),
    ]


def controls(d: dict) -> dmc.Accordion:
    v = {cid: _get(d, path) for cid, _p, path in SCALARS}
    color = {
        cid: dmc.ColorInput(id=cid, label=label, value=v[cid], format="hex", w=180)
        for cid, label in (
            ("fe-bg", "Background"),
            ("fe-fg", "Text"),
            ("fe-btn", "Button"),
            ("fe-btnfg", "Button text"),
        )
    }
    return dmc.Accordion(
        multiple=True,
        value=["form", "fields"],
        children=[
            _section(
                "Form",
                [
                    dmc.TextInput(id="fe-name", label="Name", value=v["fe-name"]),
                    *_labelled("fe-kind", "Kind", list(KINDS), v["fe-kind"]),
                    dmc.TextInput(id="fe-list", label="List submitters join", value=v["fe-list"]),
                    dmc.Switch(
                        id="fe-double-opt-in",
                        label="Double opt-in (confirmation e-mail)",
                        checked=bool(v["fe-double-opt-in"]),
                    ),
                ],
            ),
            _section(
                "Fields",
                [
                    html.Div(rows_for(d), id="fe-fields"),
                    dmc.Button("Add field", id="fe-field-add", variant="light", size="xs", w=120),
                    dmc.Textarea(
                        id="fe-step-titles",
                        label="Step titles (one line per step)",
                        value="\n".join(s.get("title", "") for s in d.get("steps") or []),
                        autosize=True,
                        minRows=1,
                    ),
                ],
            ),
            _section(
                "Texts",
                [
                    dmc.TextInput(id="fe-title", label="Title", value=v["fe-title"]),
                    dmc.Textarea(
                        id="fe-description", label="Description", value=v["fe-description"]
                    ),
                    dmc.TextInput(id="fe-button", label="Button", value=v["fe-button"]),
                    dmc.TextInput(id="fe-success", label="Success message", value=v["fe-success"]),
                ],
            ),
            _section(
                "Style",
                [
                    dmc.Group(list(color.values())),
                    dmc.Select(
                        id="fe-font",
                        label="Font",
                        data=list(FONTS),
                        value=v["fe-font"],
                        allowDeselect=False,
                    ),
                    dmc.NumberInput(
                        id="fe-radius",
                        label="Corner radius (px)",
                        value=v["fe-radius"],
                        min=0,
                        max=40,
                        w=160,
                    ),
                    dmc.TextInput(id="fe-image", label="Image URL", value=v["fe-image"]),
                ],
            ),
            _section(
                "Targeting",
                [
                    dmc.Group(
                        [
                            dmc.NumberInput(
                                id="fe-delay",
                                label="Delay (s)",
                                value=v["fe-delay"],
                                min=0,
                                max=3600,
                                w=120,
                            ),
                            dmc.NumberInput(
                                id="fe-scroll",
                                label="Scroll %",
                                value=v["fe-scroll"],
                                min=0,
                                max=100,
                                w=120,
                            ),
                            dmc.Switch(
                                id="fe-exit",
                                label="Exit intent",
                                checked=bool(v["fe-exit"]),
                                mt="lg",
                            ),
                        ]
                    ),
                    dmc.TextInput(id="fe-url", label="URL contains", value=v["fe-url"]),
                    *_labelled("fe-device", "Device", list(DEVICES), v["fe-device"]),
                    dmc.TagsInput(
                        id="fe-countries",
                        label="Countries (empty: everywhere)",
                        value=v["fe-countries"] or [],
                        placeholder="US, FR…",
                    ),
                    dmc.NumberInput(
                        id="fe-priority",
                        label="Priority among popups (1 shows first)",
                        description="One popup shows at a time; the others wait their turn.",
                        value=v["fe-priority"] or 5,
                        min=1,
                        max=10,
                        w=280,
                    ),
                ],
            ),
            _section(
                "Frequency",
                [
                    dmc.NumberInput(
                        id="fe-hide-days",
                        label="Hide for N days after closing",
                        value=v["fe-hide-days"],
                        min=0,
                        max=365,
                        w=240,
                    ),
                    dmc.Switch(
                        id="fe-hide-submit",
                        label="Never show again after submitting",
                        checked=bool(v["fe-hide-submit"]),
                    ),
                ],
            ),
        ],
    )

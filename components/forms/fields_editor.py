"""The editor's field rows (name, type, label, required, options, step) and their reading
back into the definition's `fields` and `steps`."""

from __future__ import annotations

import dash_mantine_components as dmc

from backend.forms.schema import FIELD_TYPES

# Every per-field control, by the definition key it edits.
PROPS = ("name", "type", "label", "required", "options", "step")


def fid(prop: str, index: int) -> dict:
    return {"type": f"fe-field-{prop}", "index": index}


def field_row(index: int, field: dict, step: int = 1) -> dmc.Paper:
    return dmc.Paper(
        dmc.Group(
            [
                dmc.TextInput(
                    id=fid("name", index), label="Name", value=field.get("name", ""), w=120
                ),
                dmc.Select(
                    id=fid("type", index),
                    label="Type",
                    data=list(FIELD_TYPES),
                    value=field.get("type", "text"),
                    allowDeselect=False,
                    w=110,
                ),
                dmc.TextInput(
                    id=fid("label", index), label="Label", value=field.get("label", ""), w=220
                ),
                dmc.TextInput(
                    id=fid("options", index),
                    label="Options (select)",
                    value=", ".join(field.get("options") or []),
                    w=160,
                ),
                dmc.NumberInput(
                    id=fid("step", index), label="Step", value=step, min=1, max=5, w=70
                ),
                dmc.Checkbox(
                    id=fid("required", index),
                    label="Required",
                    checked=bool(field.get("required")),
                    mt="lg",
                ),
                dmc.Button(
                    "Remove",
                    id={"type": "fe-field-remove", "index": index},
                    size="xs",
                    variant="subtle",
                    color="red",
                    mt="lg",
                ),
            ],
            align="flex-start",
            gap="xs",
        ),
        withBorder=True,
        p="xs",
        className="fe-field-row",
        id={"type": "fe-field-row", "index": index},
    )


def rows_for(definition: dict) -> list:
    step_of = {n: i + 1 for i, s in enumerate(definition.get("steps") or []) for n in s["fields"]}
    return [
        field_row(i, f, step_of.get(f["name"], 1))
        for i, f in enumerate(definition.get("fields") or [])
    ]


def read_fields(values: dict[str, list]) -> tuple[list[dict], list[dict]]:
    """values: prop -> the ALL-list of that control, in row order -> (fields, steps)."""
    fields, steps = [], {}
    for i in range(len(values["name"])):
        ftype = values["type"][i]
        field = {
            "name": (values["name"][i] or "").strip(),
            "type": ftype,
            "label": values["label"][i] or "",
            "required": bool(values["required"][i]),
            "options": [o.strip() for o in (values["options"][i] or "").split(",") if o.strip()]
            if ftype == "select"
            else [],
        }
        if ftype == "checkbox" and field["name"] == "consent":
            field["consent"] = True
        fields.append(field)
        steps.setdefault(int(values["step"][i] or 1), []).append(field["name"])
    ordered = [{"title": "", "fields": steps[k]} for k in sorted(steps)]
    return fields, ordered

"""A form's problems in the editor's own words: the schema says "fields[1].name" and
"targeting.delay_seconds"; the marketer sees "Field 2 (first name) › Name" and
"Targeting › Delay (s)", the section and label of the control to fix."""

from __future__ import annotations

import re

from backend.forms.schema import Problem

# Schema path -> where the control is in the editor (its section, then its label).
LABELS = {
    "name": "Form › Name",
    "kind": "Form › Kind",
    "list": "Form › List submitters join",
    "double_opt_in": "Form › Double opt-in",
    "texts.title": "Texts › Title",
    "texts.description": "Texts › Description",
    "texts.button": "Texts › Button",
    "success_message": "Texts › Success message",
    "style.background": "Style › Background",
    "style.text_color": "Style › Text",
    "style.button_color": "Style › Button",
    "style.button_text_color": "Style › Button text",
    "style.font": "Style › Font",
    "style.radius": "Style › Corner radius (px)",
    "style.image": "Style › Image URL",
    "targeting.delay_seconds": "Targeting › Delay (s)",
    "targeting.scroll_percent": "Targeting › Scroll %",
    "targeting.exit_intent": "Targeting › Exit intent",
    "targeting.url_contains": "Targeting › URL contains",
    "targeting.device": "Targeting › Device",
    "targeting.countries": "Targeting › Countries",
    "frequency.hide_days_after_close": "Frequency › Hide for N days after closing",
    "frequency.hide_after_submit": "Frequency › Never show again after submitting",
    "fields": "Fields",
    "steps": "Fields › Step",
}
FIELD_LABELS = {
    "name": "Name",
    "type": "Type",
    "label": "Label",
    "options": "Options (select)",
    "required": "Required",
    "placeholder": "Placeholder",
    "consent": "Consent",
}
_FIELD = re.compile(r"fields\[(\d+)\](?:\.(\w+))?")
_STEP = re.compile(r"steps\[(\d+)\](?:\.(\w+))?")


def where(path: str, fields: list[dict]) -> str:
    """The editor's name for a schema path (the path itself when it has none)."""
    if m := _FIELD.fullmatch(path):
        i = int(m.group(1))
        name = (fields[i].get("name") or "").strip() if i < len(fields) else ""
        row = f"Field {i + 1}" + (f" ({name})" if name else "")
        return f"{row} › {FIELD_LABELS.get(m.group(2), m.group(2))}" if m.group(2) else row
    if m := _STEP.fullmatch(path):
        what = "Step titles" if m.group(2) == "title" else "Step"
        return f"Fields › {what} (step {int(m.group(1)) + 1})"
    return LABELS.get(path, path)


def readable(problems: list[Problem], fields: list[dict]) -> list[str]:
    """One line per control, in the editor's words. The editor builds the steps from each
    row's Step number, so a step naming a bad field name is that name's problem again."""
    bad_names = any(_FIELD.fullmatch(p.path) and p.path.endswith(".name") for p in problems)
    lines: dict[str, list[str]] = {}
    for p in problems:
        if bad_names and _STEP.fullmatch(p.path) and "field" in p.message:
            continue
        lines.setdefault(where(p.path, fields), []).append(p.message)
    return [f"{place}: {'; '.join(messages)}" for place, messages in lines.items()]

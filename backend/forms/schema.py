"""The form definition (docs/api.md shape): validation with problems that name the field path,
and normalisation into a complete definition (defaults filled in, unknown keys dropped)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from backend.errors import Invalid

KINDS = ("popup", "flyout", "embed")
FIELD_TYPES = ("email", "text", "phone", "checkbox", "select")
DEVICES = ("all", "desktop", "mobile")
MAX_FIELDS = 20
_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_COLOR = re.compile(r"^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
# The field the storefront fills with nothing: only bots type into it.
HONEYPOT = "_hp"

DEFAULT_STYLE: dict[str, Any] = {
    "background": "#ffffff",
    "text_color": "#1f2933",
    "button_color": "#4c6ef5",
    "button_text_color": "#ffffff",
    "font": "system-ui, sans-serif",
    "radius": 12,
    "image": "",
}
FONTS = (
    "system-ui, sans-serif",
    "Georgia, serif",
    "Helvetica, Arial, sans-serif",
    "'Courier New', monospace",
)
DEFAULT_TEXTS = {
    "title": "Join our newsletter",
    "description": "",
    "button": "Subscribe",
    "close": "Close",
}


@dataclass(frozen=True)
class Problem:
    path: str
    message: str

    def as_dict(self) -> dict:
        return {"path": self.path, "message": self.message}


class FormInvalid(Invalid):
    """400 with `problems` as [{"path", "message"}]; `.problems` keeps the Problem objects."""

    def __init__(self, problems: list[Problem]):
        super().__init__(
            "; ".join(f"{p.path}: {p.message}" for p in problems),
            problems=[p.as_dict() for p in problems],
        )
        self.problems = problems


class _Check:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def fail(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    def text(
        self,
        obj: dict,
        key: str,
        path: str,
        default: str = "",
        limit: int = 500,
        required: bool = False,
    ) -> str:
        value = obj.get(key, default)
        if value is None:
            value = default
        if not isinstance(value, str):
            self.fail(f"{path}{key}", "must be a string")
            return default
        value = value.strip()
        if "\x00" in value:
            self.fail(f"{path}{key}", "must not contain NUL characters")
            return default
        if required and not value:
            self.fail(f"{path}{key}", "is required")
        if len(value) > limit:
            self.fail(f"{path}{key}", f"longer than {limit} characters")
        return value

    def integer(self, obj: dict, key: str, path: str, default: int, lo: int, hi: int) -> int:
        value = obj.get(key, default)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
            self.fail(f"{path}{key}", "must be a whole number")
            return default
        if not lo <= value <= hi:
            self.fail(f"{path}{key}", f"must be between {lo} and {hi}")
        return int(value)

    def boolean(self, obj: dict, key: str, path: str, default: bool) -> bool:
        value = obj.get(key, default)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.fail(f"{path}{key}", "must be true or false")
            return default
        return value

    def obj(self, obj: dict, key: str) -> dict:
        value = obj.get(key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.fail(key, "must be a JSON object")
            return {}
        return value


def _field(c: _Check, raw: Any, i: int, seen: set[str]) -> dict | None:
    path = f"fields[{i}]."
    if not isinstance(raw, dict):
        c.fail(f"fields[{i}]", "must be a JSON object")
        return None
    name = c.text(raw, "name", path, limit=40, required=True)
    if name and not _NAME.match(name):
        c.fail(f"{path}name", "use lower-case letters, digits and _ (starting with a letter)")
    elif name in seen:
        c.fail(f"{path}name", f"duplicate field name {name!r}")
    seen.add(name)
    ftype = raw.get("type")
    if ftype not in FIELD_TYPES:
        c.fail(f"{path}type", f"must be one of {', '.join(FIELD_TYPES)}")
    field = {
        "name": name,
        "type": ftype,
        "label": c.text(raw, "label", path, default=name),
        "placeholder": c.text(raw, "placeholder", path, limit=200),
        "required": c.boolean(raw, "required", path, ftype == "email"),
        "options": [],
        # A checked consent box stores its timestamp on the list membership.
        "consent": c.boolean(raw, "consent", path, ftype == "checkbox" and name == "consent"),
    }
    options = raw.get("options") or []
    if not isinstance(options, list) or not all(isinstance(o, str) for o in options):
        c.fail(f"{path}options", "must be a list of strings")
    elif ftype == "select":
        if not options:
            c.fail(f"{path}options", "a select needs at least one option")
        if len(options) > 50 or any(len(o) > 200 for o in options):
            c.fail(f"{path}options", "at most 50 options of up to 200 characters")
        field["options"] = [o.strip() for o in options]
    return field


def _steps(c: _Check, raw: Any, names: list[str]) -> list[dict]:
    if raw is None or raw == []:
        return [{"title": "", "fields": names}]
    if not isinstance(raw, list) or len(raw) > 5:
        c.fail("steps", "must be a list of at most 5 steps")
        return [{"title": "", "fields": names}]
    steps, placed = [], []
    for i, step in enumerate(raw):
        if not isinstance(step, dict):
            c.fail(f"steps[{i}]", "must be a JSON object")
            continue
        fields = step.get("fields")
        if not isinstance(fields, list) or not fields:
            c.fail(f"steps[{i}].fields", "must list at least one field name")
            continue
        for f in fields:
            if f not in names:
                c.fail(f"steps[{i}].fields", f"unknown field {f!r}")
            elif f in placed:
                c.fail(f"steps[{i}].fields", f"field {f!r} is already in an earlier step")
            placed.append(f)
        steps.append(
            {
                "title": c.text(step, "title", f"steps[{i}].", limit=200),
                "fields": [f for f in fields if isinstance(f, str)],
            }
        )
    missing = [n for n in names if n not in placed]
    if missing and not c.problems:
        c.fail("steps", f"fields in no step: {', '.join(missing)}")
    return steps


def _style(c: _Check, raw: dict) -> dict:
    style = dict(DEFAULT_STYLE)
    for key in ("background", "text_color", "button_color", "button_text_color"):
        value = c.text(raw, key, "style.", default=DEFAULT_STYLE[key], limit=7)
        if not _COLOR.match(value):
            c.fail(f"style.{key}", "must be a colour like #1a2b3c")
        style[key] = value
    style["font"] = c.text(raw, "font", "style.", default=DEFAULT_STYLE["font"], limit=100)
    if style["font"] not in FONTS:
        c.fail("style.font", f"must be one of {', '.join(FONTS)}")
    style["radius"] = c.integer(raw, "radius", "style.", 12, 0, 40)
    image = c.text(raw, "image", "style.", limit=1000)
    if image and not image.startswith(("https://", "http://")):
        c.fail("style.image", "must be an http(s) URL")
    style["image"] = image
    return style


def _targeting(c: _Check, raw: dict) -> dict:
    p = "targeting."
    device = raw.get("device", "all") or "all"
    if device not in DEVICES:
        c.fail(f"{p}device", f"must be one of {', '.join(DEVICES)}")
    countries = raw.get("countries") or []
    if not isinstance(countries, list) or not all(
        isinstance(x, str) and _COUNTRY.match(x.upper()) for x in countries
    ):
        c.fail(f"{p}countries", 'must be a list of two-letter country codes like "US"')
        countries = []
    return {
        "delay_seconds": c.integer(raw, "delay_seconds", p, 0, 0, 3600),
        "scroll_percent": c.integer(raw, "scroll_percent", p, 0, 0, 100),
        "exit_intent": c.boolean(raw, "exit_intent", p, False),
        "url_contains": c.text(raw, "url_contains", p, limit=200),
        "device": device,
        "countries": sorted({x.upper() for x in countries}),
        # popups queue on a page: 1 shows first (assets/embed/embed.js)
        "priority": c.integer(raw, "priority", p, 5, 1, 10),
    }


def validate(raw: Any) -> dict:
    """The complete, normalised definition, or FormInvalid naming every problem."""
    c = _Check()
    if not isinstance(raw, dict):
        raise FormInvalid([Problem("body", "must be a JSON object")])
    name = c.text(raw, "name", "", limit=200, required=True)
    kind = raw.get("kind", "popup")
    if kind not in KINDS:
        c.fail("kind", f"must be one of {', '.join(KINDS)}")
    fields_raw = raw.get("fields")
    fields: list[dict] = []
    if not isinstance(fields_raw, list) or not fields_raw:
        c.fail("fields", "must be a non-empty list")
    elif len(fields_raw) > MAX_FIELDS:
        c.fail("fields", f"at most {MAX_FIELDS} fields")
    else:
        seen: set[str] = set()
        fields = [f for i, r in enumerate(fields_raw) if (f := _field(c, r, i, seen))]
        emails = [f for f in fields if f["type"] == "email"]
        if len(emails) != 1:
            c.fail("fields", "needs exactly one field of type email (it keys the profile)")
        elif not emails[0]["required"]:
            c.fail("fields", "the email field must be required")
    texts_raw = c.obj(raw, "texts")
    texts = {
        k: c.text(texts_raw, k, "texts.", default=v, limit=1000) for k, v in DEFAULT_TEXTS.items()
    }
    frequency_raw = c.obj(raw, "frequency")
    definition = {
        "name": name,
        "kind": kind,
        "list": c.text(raw, "list", "", limit=200),
        "double_opt_in": c.boolean(raw, "double_opt_in", "", False),
        "fields": fields,
        "steps": _steps(c, raw.get("steps"), [f["name"] for f in fields]),
        "style": _style(c, c.obj(raw, "style")),
        "texts": texts,
        "success_message": c.text(raw, "success_message", "", default="Thank you!", limit=1000),
        "targeting": _targeting(c, c.obj(raw, "targeting")),
        "frequency": {
            "hide_days_after_close": c.integer(
                frequency_raw, "hide_days_after_close", "frequency.", 7, 0, 365
            ),
            "hide_after_submit": c.boolean(frequency_raw, "hide_after_submit", "frequency.", True),
        },
    }
    if definition["double_opt_in"] and not definition["list"]:
        c.fail("double_opt_in", "needs a list to confirm into")
    if c.problems:
        raise FormInvalid(c.problems)
    return definition


def public_view(form_id: int, version: int, definition: dict) -> dict:
    """What storefronts receive: the published definition minus the account's internals."""
    return {
        "id": form_id,
        "version": version,
        **{k: v for k, v in definition.items() if k not in ("list", "double_opt_in", "name")},
    }

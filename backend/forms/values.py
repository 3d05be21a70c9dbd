"""Check what a shopper typed against the published form: errors name each field."""

from __future__ import annotations

import re
from typing import Any

from backend.errors import Invalid

_EMAIL = re.compile(r"^[^@\s<>\"',;]{1,64}@[^@\s<>\"',;]+\.[^@\s<>\"',;.]{2,}$")
_PHONE = re.compile(r"^\+?[0-9 ().\-]{6,24}$")
MAX_TEXT = 500


class SubmissionInvalid(Invalid):
    """400 with `fields`: {field name: what is wrong with it}."""

    def __init__(self, fields: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in fields.items()), fields=fields)
        self.fields = fields


def _truthy(value: Any) -> bool:
    return value is True or (isinstance(value, str) and value.lower() in ("true", "on", "1", "yes"))


def clean(definition: dict, values: Any) -> dict[str, Any]:
    """The submitted values by field name (email lower-cased), or SubmissionInvalid."""
    if not isinstance(values, dict):
        raise SubmissionInvalid({"fields": "must be a JSON object of field values"})
    out: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for field in definition["fields"]:
        name, ftype = field["name"], field["type"]
        raw = values.get(name)
        if ftype == "checkbox":
            checked = _truthy(raw)
            if field["required"] and not checked:
                errors[name] = "must be checked"
            out[name] = checked
            continue
        if raw is None:
            raw = ""
        if isinstance(raw, bool) or not isinstance(raw, str | int | float):
            errors[name] = "must be text"
            continue
        text = str(raw).strip()
        if "\x00" in text:
            errors[name] = "must not contain NUL characters"
            continue
        if not text:
            if field["required"]:
                errors[name] = "is required"
            continue
        if len(text) > MAX_TEXT:
            errors[name] = f"longer than {MAX_TEXT} characters"
        elif ftype == "email" and (len(text) > 320 or not _EMAIL.match(text)):
            errors[name] = "is not a valid e-mail address"
        elif ftype == "phone" and not _PHONE.match(text):
            errors[name] = "is not a valid phone number"
        elif ftype == "select" and text not in field["options"]:
            errors[name] = "is not one of the options"
        out[name] = text.lower() if ftype == "email" else text
    if errors:
        raise SubmissionInvalid(errors)
    return out


def email_of(definition: dict, values: dict[str, Any]) -> str:
    return next(values[f["name"]] for f in definition["fields"] if f["type"] == "email")


def consented(definition: dict, values: dict[str, Any]) -> bool:
    return any(f["consent"] and values.get(f["name"]) is True for f in definition["fields"])

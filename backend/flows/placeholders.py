"""E-mail templates: a sandboxed Jinja environment, so a marketer's template can read the
profile and the event but never reach Python internals."""

from __future__ import annotations

from jinja2 import StrictUndefined, TemplateError, Undefined
from jinja2.sandbox import SandboxedEnvironment

_env = SandboxedEnvironment(autoescape=False, undefined=Undefined)
_html_env = SandboxedEnvironment(autoescape=True, undefined=Undefined)
_strict = SandboxedEnvironment(autoescape=False, undefined=StrictUndefined)


class TemplateFailed(ValueError):
    pass


def context(traits: dict, event: dict, email: str | None = None) -> dict:
    """Placeholders: {{ first_name }} (a trait), {{ event.revenue }} (a property)."""
    return {
        **(traits or {}),
        "email": email or (traits or {}).get("email"),
        "event": event or {},
        "profile": {**(traits or {}), "email": email},
    }


def render(source: str, ctx: dict, html: bool = False) -> str:
    try:
        return (_html_env if html else _env).from_string(source or "").render(ctx)
    except TemplateError as exc:
        raise TemplateFailed(f"template error: {exc}") from None


def check(source: str) -> str | None:
    """A syntax problem in the template, or None."""
    try:
        _strict.parse(source or "")
    except TemplateError as exc:
        return f"template error: {exc}"
    return None

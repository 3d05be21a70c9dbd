"""Placeholders in an e-mail's subject and body: a sandboxed Jinja environment (a
marketer's template can read the profile and the event, never Python's internals), each
template parsed once and kept, so a campaign of a million e-mails parses it once."""

from __future__ import annotations

import html
import re
from functools import lru_cache

from jinja2 import ChainableUndefined, TemplateError, TemplateSyntaxError, nodes
from jinja2.sandbox import SandboxedEnvironment

from backend.errors import Invalid
from backend.flows.placeholders import CURRENCY_KEY, DEFAULT_CURRENCY, install

# ChainableUndefined: a missing trait, or {{ event.a.b }} with no `a`, renders as nothing
# (what a marketer expects of a missing value); real mistakes still fail.
_env = SandboxedEnvironment(autoescape=False, undefined=ChainableUndefined)
install(_env)  # {{ x | money }} in the account's currency, {{ x | number }}

URL_RE = re.compile(r"https?://[^\s<>\"'`{}|\\^\[\]]+", re.IGNORECASE)
_TRAILING = ".,;:!?)"


class TemplateInvalid(Invalid):
    """A subject or body that cannot be rendered; `problems` names the field and the
    placeholder (or line) at fault."""

    def __init__(self, field: str, detail: str):
        super().__init__(problems=[f"{field}: {detail}"])
        self.field = field


@lru_cache(maxsize=512)
def compile_template(source: str, field: str = "body"):
    try:
        return _env.from_string(source or "")
    except TemplateSyntaxError as exc:
        line = (source or "").splitlines()[exc.lineno - 1] if exc.lineno else ""
        raise TemplateInvalid(
            field, f"template error on line {exc.lineno} ({line.strip()[:80]!r}): {exc.message}"
        ) from None
    except TemplateError as exc:
        raise TemplateInvalid(field, f"template error: {exc}") from None


def placeholders(
    traits: dict | None, event: dict | None, email: str | None, currency: str | None = None
) -> dict:
    """{{ first_name }} (a trait), {{ event.revenue }} (a property of the triggering
    event), {{ email }}, {{ profile.x }}: the same names flows have always offered.
    `currency` (the account's) is what {{ x | money }} prints in."""
    traits = traits or {}
    return {
        **traits,
        "email": email or traits.get("email"),
        "event": event or {},
        "profile": {**traits, "email": email},
        CURRENCY_KEY: currency or DEFAULT_CURRENCY,
    }


def render(source: str, ctx: dict, field: str = "body") -> str:
    plan = _plan(source or "", field)
    if plan is not None:
        text = _fill(plan, ctx)
        if text is not None:
            return text
    return render_jinja(source, ctx, field)


def render_jinja(source: str, ctx: dict, field: str = "body") -> str:
    """Jinja itself: every template the fast path below does not take, and its reference."""
    template = compile_template(source or "", field)
    try:
        return template.render(ctx)
    except TemplateError as exc:
        raise TemplateInvalid(field, f"placeholder failed: {exc}") from None
    except (TypeError, ValueError, ArithmeticError, LookupError) as exc:
        raise TemplateInvalid(field, f"placeholder failed: {exc}") from None


# -- the fast path ---------------------------------------------------------------------
# Most e-mail templates are text and `{{ name }}` / `{{ profile.name }}` slots. Jinja's
# render costs ~35 us a call (a new context, generator frames) for what is a join of
# constant parts and lookups: a campaign of 200k renders its subject and body 400k times.
# `_plan` splits such a template once into constant strings and slots, and `_fill` joins
# them, giving Jinja's exact output (str() of the value, "" for a missing one, as
# ChainableUndefined). Anything else (filters, tags, a global, a dict method's name, a
# value that is not a plain dict under a dotted slot) falls back to Jinja.


@lru_cache(maxsize=512)
def _plan(source: str, field: str) -> tuple | None:
    compile_template(source, field)  # the same errors as Jinja, raised the same way
    try:
        tree = _env.parse(source)
    except TemplateError:  # pragma: no cover: compile_template raised already
        return None
    plan: list = []
    for node in tree.body:
        if not isinstance(node, nodes.Output):
            return None
        for n in node.nodes:
            if isinstance(n, nodes.TemplateData):
                plan.append(n.data)
            elif isinstance(n, nodes.Name) and n.ctx == "load" and n.name not in _env.globals:
                plan.append((n.name,))
            elif (
                isinstance(n, nodes.Getattr)
                and isinstance(n.node, nodes.Name)
                and n.node.ctx == "load"
                and n.node.name not in _env.globals
                and not hasattr(dict, n.attr)
            ):
                plan.append((n.node.name, n.attr))
            else:
                return None
    return tuple(plan)


def _fill(plan: tuple, ctx: dict) -> str | None:
    out = []
    for part in plan:
        if part.__class__ is str:
            out.append(part)
            continue
        if part[0] not in ctx:
            out.append("")  # undefined, and so is any attribute of it
            continue
        value = ctx[part[0]]
        if len(part) == 2:
            if value.__class__ is not dict:
                return None  # Jinja's attribute rules on other types: let Jinja decide
            if part[1] not in value:
                out.append("")
                continue
            value = value[part[1]]
        if value.__class__ is str:
            out.append(value)
        elif value is None or value.__class__ in _PLAIN:
            out.append(str(value))
        else:
            return None
    return "".join(out)


_PLAIN = (int, float, bool, list, dict)  # JSON's values: str() is what Jinja prints


def find_urls(text: str) -> list[tuple[int, int, str]]:
    """(start, end, url) of every bare http(s) URL, trailing punctuation left out."""
    out = []
    for m in URL_RE.finditer(text):
        url, end = m.group(0), m.end()
        while url and url[-1] in _TRAILING:
            if url[-1] == ")" and url.count("(") >= url.count(")"):
                break  # a URL whose own parentheses are balanced keeps its ")"
            url, end = url[:-1], end - 1
        if len(url) > len("https://"):
            out.append((m.start(), end, url))
    return out


def text_to_html_paragraphs(text: str, link_of) -> str:
    """The text part as HTML: paragraphs at blank lines, line breaks kept, every URL a link
    to `link_of(url)` (its tracked address), everything else escaped."""
    parts = []
    for para in re.split(r"\n\s*\n", text.strip()):
        pos, chunks = 0, []
        for start, end, url in find_urls(para):
            chunks.append(html.escape(para[pos:start]))
            chunks.append(
                f'<a href="{html.escape(link_of(url))}" style="color:#4c6ef5">'
                f"{html.escape(url)}</a>"
            )
            pos = end
        chunks.append(html.escape(para[pos:]))
        parts.append(
            '<p style="margin:0 0 16px">' + "".join(chunks).replace("\n", "<br>\n") + "</p>"
        )
    return "\n".join(parts)

"""Placeholders in an e-mail's subject and body: a sandboxed Jinja environment (a
marketer's template can read the profile and the event, never Python's internals), each
template parsed once and kept, so a campaign of a million e-mails parses it once."""

from __future__ import annotations

import html
import re
from functools import lru_cache

from jinja2 import ChainableUndefined, TemplateError, TemplateSyntaxError
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
    template = compile_template(source or "", field)
    try:
        return template.render(ctx)
    except TemplateError as exc:
        raise TemplateInvalid(field, f"placeholder failed: {exc}") from None
    except (TypeError, ValueError, ArithmeticError, LookupError) as exc:
        raise TemplateInvalid(field, f"placeholder failed: {exc}") from None


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

"""E-mail templates: a sandboxed Jinja environment, so a marketer's template can read the
profile and the event but never reach Python internals.

Two filters print values for people: `{{ event.value | money }}` in the account's currency
("$156.00", "€156.00", "¥156": yen has no decimals) and
`{{ event.items | number }}` with thousands separators. Both take the value as it came in
(a number or a numeric string); anything else prints MISSING instead of failing the send.
Formats come from Babel (CLDR data: symbols, decimals per currency), the library Python's
own i18n tooling uses; it installs alone, without replacing anything."""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from babel.numbers import format_currency, format_decimal, get_currency_precision
from jinja2 import StrictUndefined, TemplateError, Undefined, pass_context
from jinja2.sandbox import SandboxedEnvironment

# The key under which a context carries the account's currency; a name no trait is given
# in practice (the sandbox keeps templates from reaching "_" attributes, not this key).
CURRENCY_KEY = "_currency"
DEFAULT_CURRENCY = "USD"
LOCALE = "en_US"  # symbols and separators as an English reader expects them
MISSING = "—"  # what a missing or non-numeric amount prints: visible, never a crash


class TemplateFailed(ValueError):
    pass


def _decimal(value) -> Decimal | None:
    """A finite number from what an event property holds (int, float, "156.0"), or None."""
    if value is None or isinstance(value, (bool, Undefined)):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    try:
        d = Decimal(str(value).strip()) if isinstance(value, str) else Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return None
    return d if d.is_finite() else None


@lru_cache(maxsize=512)
def _money_shape(code: str) -> tuple[str, int, str]:
    """(prefix, decimals, suffix) of `code` in LOCALE, read once from Babel: "€", 2, "".
    Formatting then costs ~2 us, not Babel's ~100 us a call (a campaign renders millions)."""
    digits = get_currency_precision(code)
    zero = format_currency(Decimal(0), code, locale=LOCALE)
    number = f"{0:.{digits}f}"
    prefix, _, suffix = zero.partition(number)
    # English CLDR glues a letters-only symbol to the digits ("CHF10.00"): keep them apart.
    if prefix[-1:].isalpha():
        prefix += "\u00a0"
    return prefix, digits, suffix


def format_money(value, currency: str | None = None) -> str:
    """`value` as an amount of `currency` (ISO 4217), e.g. 156.0, "USD" -> "$156.00"."""
    d = _decimal(value)
    if d is None:
        return MISSING
    code = str(currency or DEFAULT_CURRENCY).upper()[:3]
    try:
        prefix, digits, suffix = _money_shape(code)
    except (ValueError, KeyError):  # an unknown code: the number with the code after it
        prefix, digits, suffix = "", 2, f" {code}"
    amount = f"{abs(d):,.{digits}f}"  # Decimal rounds half-even, as Babel does
    sign = "-" if d < 0 and amount.strip("0.,") else ""
    return f"{sign}{prefix}{amount}{suffix}"


def format_number(value, digits: int | None = None) -> str:
    """`value` with thousands separators; `digits` fixes the decimals (else as needed, up
    to 3): 1234567 -> "1,234,567", 2.5 -> "2.5", (2.5, 2) -> "2.50"."""
    d = _decimal(value)
    if d is None:
        return MISSING
    if isinstance(digits, int) and not isinstance(digits, bool) and 0 <= digits <= 6:
        fmt = "#,##0" + ("." + "0" * digits if digits else "")
    else:
        fmt = "#,##0.###"
    return format_decimal(d, format=fmt, locale=LOCALE)


@pass_context
def _money_filter(ctx, value, currency: str | None = None) -> str:
    """{{ x | money }} in the account's currency; {{ x | money('EUR') }} in another."""
    return format_money(value, currency if isinstance(currency, str) else ctx.get(CURRENCY_KEY))


def _number_filter(value, digits: int | None = None) -> str:
    return format_number(value, digits)


FILTERS = {"money": _money_filter, "number": _number_filter}


def install(env) -> None:
    """Give a Jinja environment the `money` and `number` filters (email/render.py uses it)."""
    env.filters.update(FILTERS)


_env = SandboxedEnvironment(autoescape=False, undefined=Undefined)
_html_env = SandboxedEnvironment(autoescape=True, undefined=Undefined)
_strict = SandboxedEnvironment(autoescape=False, undefined=StrictUndefined)
for _e in (_env, _html_env, _strict):
    install(_e)


def context(
    traits: dict, event: dict, email: str | None = None, currency: str | None = None
) -> dict:
    """Placeholders: {{ first_name }} (a trait), {{ event.revenue }} (a property)."""
    return {
        **(traits or {}),
        "email": email or (traits or {}).get("email"),
        "event": event or {},
        "profile": {**(traits or {}), "email": email},
        CURRENCY_KEY: currency or DEFAULT_CURRENCY,
    }


def render(source: str, ctx: dict, html: bool = False) -> str:
    try:
        return (_html_env if html else _env).from_string(source or "").render(ctx)
    except TemplateError as exc:
        raise TemplateFailed(f"template error: {exc}") from None


def check(source: str) -> str | None:
    """A syntax problem in the template (an unknown filter too), or None."""
    try:
        _strict.parse(source or "")
    except TemplateError as exc:
        return f"template error: {exc}"
    return None

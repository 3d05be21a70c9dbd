"""The account's currency: an ISO 4217 code (default "USD") that `{{ x | money }}` prints
amounts in (backend/flows/placeholders.py). The codes offered are those some country tenders
today, by Babel's CLDR data (153 of its 307 codes; the rest are withdrawn ones such as DEM).

    with db.session() as s:
        set_currency(s, account_id, "EUR")   # CurrencyInvalid if unknown
        get_currency(s, account_id)          # "EUR"
"""

from __future__ import annotations

from functools import lru_cache

from babel.core import get_global
from babel.numbers import get_currency_name, get_currency_symbol, get_territory_currencies
from sqlalchemy.orm import Session

from backend.errors import Invalid
from backend.flows.placeholders import DEFAULT_CURRENCY, LOCALE
from backend.store.models import Account

DEFAULT = DEFAULT_CURRENCY


class CurrencyInvalid(Invalid):
    pass


@lru_cache(maxsize=1)
def codes() -> tuple[str, ...]:
    """Every ISO 4217 code that is legal tender somewhere today, sorted."""
    found: set[str] = {DEFAULT}
    for territory in get_global("territory_currencies"):
        found.update(get_territory_currencies(territory, tender=True))
    return tuple(sorted(found))


@lru_cache(maxsize=512)
def label(code: str) -> str:
    """What the picker lists and searches: "EUR · Euro (€)"."""
    name = get_currency_name(code, locale=LOCALE)
    symbol = get_currency_symbol(code, locale=LOCALE)
    return f"{code} · {name}" + (f" ({symbol})" if symbol != code else "")


def validate(code) -> str:
    """`code` as stored (upper case), or CurrencyInvalid saying what is wrong."""
    text = code.split(" · ", 1)[0].strip().upper() if isinstance(code, str) else ""
    if not text:
        raise CurrencyInvalid(
            problems=["currency: choose a currency, an ISO 4217 code such as USD, EUR or JPY"]
        )
    if text not in codes():
        raise CurrencyInvalid(
            problems=[
                f"currency: unknown currency {text[:12]!r}: pick one from the list, an "
                "ISO 4217 code such as USD, EUR or JPY"
            ]
        )
    return text


def get_currency(s: Session, account_id: str) -> str:
    acc = s.get(Account, account_id)
    return (acc.currency if acc is not None else None) or DEFAULT


def set_currency(s: Session, account_id: str, code) -> str:
    """Validate and save; nothing changes when the code is refused."""
    clean = validate(code)
    acc = s.get(Account, account_id)
    if acc is None:
        raise LookupError(f"no account {account_id!r}")
    acc.currency = clean
    s.flush()
    return clean

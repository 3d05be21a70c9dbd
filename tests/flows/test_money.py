"""{{ x | money }} and {{ x | number }}: amounts in the account's currency in flow e-mails,
campaign previews and the flow editor's preview; a missing or non-numeric value prints a
visible placeholder and never fails a send."""

from __future__ import annotations

from decimal import Decimal

import pytest
from babel.numbers import format_currency

from backend.accounts import currencies
from backend.email.compose import EmailContext, compose
from backend.email.render import placeholders, render
from backend.flows.placeholders import (
    LOCALE,
    MISSING,
    check,
    context,
    format_money,
    format_number,
)
from backend.flows.placeholders import render as flow_render
from backend.flows.starters import TEMPLATES
from backend.store.models import Account
from tests.email.helpers import email_settings, parse, person


@pytest.mark.parametrize(
    ("value", "code", "shown"),
    [
        (156.0, "USD", "$156.00"),
        (156, "USD", "$156.00"),
        ("156.0", "USD", "$156.00"),
        (1234567.891, "USD", "$1,234,567.89"),
        (-5, "USD", "-$5.00"),
        (Decimal("19.9"), "EUR", "€19.90"),
        (156.4, "JPY", "¥156"),  # yen has no decimals
        (1999.5, "JPY", "¥2,000"),
        (10, "CHF", "CHF 10.00"),
        (0, "GBP", "£0.00"),
    ],
)
def test_money_prints_the_amount_in_the_currency(value, code, shown):
    assert format_money(value, code).replace("\xa0", " ") == shown


def test_the_fast_path_prints_what_babel_prints_for_every_offered_currency():
    """format_money reads each currency's shape from Babel once; the amounts must match
    Babel's own format_currency (CLDR), apart from the space kept after letter symbols."""
    for code in currencies.codes():
        for v in ("0", "1", "-1", "156.0", "1234567.891", "0.005", "2.5", "999.995", "-42.42"):
            ours = format_money(v, code).replace("\xa0", "")
            assert ours == format_currency(Decimal(v), code, locale=LOCALE).replace("\xa0", "")
    assert format_money("-0.001", "USD") == "$0.00"  # no "-$0.00"


@pytest.mark.parametrize("value", [None, "", "abc", "12,50", True, float("nan"), float("inf"), []])
def test_a_missing_or_non_numeric_amount_prints_the_placeholder(value):
    assert format_money(value, "USD") == MISSING
    assert format_number(value) == MISSING


def test_number_groups_thousands_and_fixes_decimals_on_request():
    assert format_number(1234567) == "1,234,567"
    assert format_number(2.5) == "2.5"
    assert format_number(2.5, 2) == "2.50"
    assert format_number("1000.129") == "1,000.129"


def test_templates_use_the_contexts_currency_unless_one_is_named():
    body = (
        "{{ event.revenue | money }} / {{ event.revenue | money('EUR') }} / {{ event.x | money }}"
    )
    assert render(body, placeholders({}, {"revenue": 5}, None, "JPY")) == "¥5 / €5.00 / " + MISSING
    assert flow_render(body, context({}, {"revenue": 5}, None)) == "$5.00 / €5.00 / " + MISSING
    # A nested missing value (ChainableUndefined) and a wrong argument never fail either.
    assert render("{{ event.a.b | money }}", placeholders({}, {}, None)) == MISSING
    assert render("{{ 3 | money(7) }}", placeholders({}, {}, None, "EUR")) == "€3.00"
    assert check("{{ event.revenue | money }} {{ n | number(2) }}") is None


def test_a_flow_email_prints_the_order_in_the_accounts_currency(tmp_path):
    account = type("A", (), {"id": "acc_1", "name": "Acme", "currency": "EUR"})()
    ctx = EmailContext.for_account(email_settings(tmp_path), account)
    node = next(
        n for n in TEMPLATES["post_purchase"].definition["nodes"] if n["id"] == "vip_thanks"
    )
    out = compose(
        ctx,
        person(),
        subject=node["subject"],
        body=node["body"],
        source={"flow": 1, "node": "vip_thanks"},
        event={"revenue": 156.0},
    )
    text = parse(out.msg.wire).get_body(("plain",)).get_content()
    assert "Your order of €156.00 makes you" in text
    missing = compose(
        ctx, person(), subject="x", body=node["body"], source={"flow": 1, "node": "v"}, event={}
    )
    assert (
        f"Your order of {MISSING} makes"
        in parse(missing.msg.wire).get_body(("plain",)).get_content()
    )


def test_the_currency_is_saved_on_the_account_and_unknown_codes_are_refused(runtime, account):
    with runtime.db.session() as s:
        assert currencies.get_currency(s, account.id) == "USD"
        assert currencies.set_currency(s, account.id, "jpy") == "JPY"
    for bad in ("XYZ", "", None, "DEM", "EURO"):
        with pytest.raises(currencies.CurrencyInvalid) as err, runtime.db.session() as s:
            currencies.set_currency(s, account.id, bad)
        assert err.value.problems[0].startswith("currency: ")
    with runtime.db.session() as s:
        assert currencies.get_currency(s, account.id) == "JPY"
        # What flows and campaigns send with: the context built from the account's row.
        ctx = EmailContext.for_account(runtime, s.get(Account, account.id))
        assert ctx.currency == "JPY"


def test_a_campaign_preview_prints_amounts_in_the_accounts_currency(client, runtime, account):
    with runtime.db.session() as s:
        currencies.set_currency(s, account.id, "EUR")
    r = client.post(
        "/api/campaigns/preview",
        json={
            "name": "Sale",
            "subject": "Save {{ 20 | money }}",
            "body": "Orders over {{ 100 | money }} ship free; {{ event.revenue | money }}.",
            "audience": {"lists": []},
        },
        headers={"Authorization": f"Bearer {account.private_key}"},
    )
    assert r.status_code == 200, r.json
    assert r.json["subject"] == "Save €20.00"
    assert r.json["text"] == f"Orders over €100.00 ship free; {MISSING}."

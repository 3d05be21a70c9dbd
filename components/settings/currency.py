"""Settings › Currency: the account's ISO 4217 currency, what `{{ x | money }}` prints amounts
in (flow and campaign e-mails and their previews). A searchable select of the codes some
country tenders today; Save refuses anything else with a message and changes nothing."""

from __future__ import annotations

import dash_mantine_components as dmc
from dash import Input, Output, State, callback, html, no_update

from backend.accounts import currencies
from backend.flows.placeholders import format_money
from components.context import account_id, runtime

SAMPLE = 1234.5


def _example(code: str) -> str:
    return f"An order of 1234.5 reads “{format_money(SAMPLE, code)}” in e-mails."


def section() -> dmc.Paper:
    with runtime().db.session() as s:
        current = currencies.get_currency(s, account_id())
    return dmc.Paper(
        html.Section(
            [
                html.H2("Currency", className="section-title", id="settings-currency-title"),
                dmc.Text(
                    "Amounts in e-mails print in this currency where a template says "
                    "{{ event.value | money }}, in flow and campaign previews too.",
                    size="sm",
                    c="dimmed",
                    mb="md",
                ),
                dmc.Group(
                    [
                        dmc.Select(
                            id="settings-currency",
                            label="Account currency",
                            description="Type a code or a name, e.g. EUR or Euro",
                            data=[
                                {"value": c, "label": currencies.label(c)}
                                for c in currencies.codes()
                            ],
                            value=current,
                            searchable=True,
                            nothingFoundMessage="No currency matches: try a code such as EUR",
                            limit=50,
                            maxDropdownHeight=280,
                            w=340,
                        ),
                        dmc.Button("Save currency", id="settings-currency-save"),
                    ],
                    align="flex-end",
                ),
                dmc.Text(_example(current), id="settings-currency-example", size="sm", mt=6),
                html.Div(
                    id="settings-currency-status",
                    role="status",
                    className="notice",
                    **{"aria-live": "polite"},
                ),
            ],
            **{"aria-labelledby": "settings-currency-title"},
        ),
        p="lg",
        withBorder=True,
        radius="md",
    )


@callback(
    Output("settings-currency-status", "children"),
    Output("settings-currency-example", "children"),
    Input("settings-currency-save", "n_clicks"),
    State("settings-currency", "value"),
    prevent_initial_call=True,
)
def save_currency(_n, code):
    """Save the chosen code through currencies.set_currency; an unknown or empty one changes
    nothing and says why."""
    try:
        with runtime().db.session() as s:
            saved = currencies.set_currency(s, account_id(), code)
    except currencies.CurrencyInvalid as exc:
        with runtime().db.session() as s:
            current = currencies.get_currency(s, account_id())
        alert = dmc.Alert(
            f"{'; '.join(exc.problems)}. The account stays on {current}.",
            color="red",
            title="Currency not changed",
            id="settings-currency-error",
        )
        return alert, no_update
    notice = dmc.Alert(
        f"Saved. E-mails now print amounts in {currencies.label(saved)}.",
        color="green",
        id="settings-currency-saved",
    )
    return notice, _example(saved)

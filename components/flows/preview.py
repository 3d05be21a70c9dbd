"""The e-mail preview: subject and body rendered with a sample profile and event."""

from __future__ import annotations

import dash_mantine_components as dmc
from dash import html

from backend.accounts.currencies import get_currency
from backend.flows.placeholders import TemplateFailed, check, context, render
from components.context import account_id, runtime

SAMPLE_TRAITS = {"first_name": "Ada", "last_name": "Lovelace", "city": "London"}
SAMPLE_EMAIL = "ada@example.com"
SAMPLE_EVENT = {"revenue": 120.0, "name": "Linen shirt", "order_id": "1001"}
PLACEHOLDERS = "{{ first_name }}, {{ email }}, {{ event.revenue | money }}, {{ event.name }}"


def _currency() -> str:
    """The account's currency, so {{ x | money }} previews as its e-mails will print it."""
    with runtime().db.session() as s:
        return get_currency(s, account_id())


def preview(subject: str, body: str) -> html.Div:
    ctx = context(SAMPLE_TRAITS, SAMPLE_EVENT, SAMPLE_EMAIL, _currency())
    out = []
    for label, source in (("Subject", subject), ("Body", body)):
        err = check(source or "")
        if err:
            out.append(dmc.Alert(f"{label}: {err}", color="red", variant="light"))
            continue
        try:
            text = render(source or "", ctx)
        except TemplateFailed as exc:
            out.append(dmc.Alert(f"{label}: {exc}", color="red", variant="light"))
            continue
        if label == "Subject":
            out.append(html.Div(text or "(no subject)", className="fn-preview-subject"))
        else:
            out.append(html.Pre(text or "(empty body)", className="fn-preview-body"))
    return html.Div(
        [
            html.Div(
                f"Preview for {SAMPLE_TRAITS['first_name']} <{SAMPLE_EMAIL}>", className="muted"
            ),
            *out,
        ],
        className="fn-preview",
        id="flow-email-preview",
        role="region",
        **{"aria-label": "E-mail preview", "aria-live": "polite"},
    )

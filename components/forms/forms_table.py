"""The forms list: status and the numbers from the counters, with per-row actions (the rows
and their actions are components/item_list.py; this says what a form's row shows)."""

from __future__ import annotations

import dash_mantine_components as dmc

from backend.forms import service, stats
from components.context import runtime
from components.item_list import Column, ItemKind, register

TEMPLATE_LABELS = {
    "newsletter_popup": "Newsletter popup",
    "discount_flyout": "Discount flyout",
    "footer_embed": "Footer embed",
}
NO_NUMBERS = {"views": 0, "submits": 0, "conversion": None}


def template_buttons() -> dmc.Group:
    return dmc.Group(
        [
            dmc.Button(
                f"New {label.lower()}", id={"type": "forms-new", "template": name}, variant="light"
            )
            for name, label in TEMPLATE_LABELS.items()
        ],
        id="forms-templates",
    )


def _pct(conversion: float | None) -> str:
    return "—" if conversion is None else f"{conversion * 100:.1f} %"


def _items(s, account: str) -> list[dict]:
    numbers = stats.form_numbers(runtime(), s, account)
    forms = [service.to_json(f) for f in service.list_forms(s, account)]
    return [{**f, **numbers.get(f["id"], NO_NUMBERS)} for f in forms]


def _describe_delete(s, account: str, form_id: int) -> str:
    """A delete takes a live form off every storefront at once and cannot be undone: ask."""
    form = service.to_json(service.get(s, account, form_id))
    live = " It is live: storefronts stop showing it at once." if form["status"] == "live" else ""
    return f"Delete {form['name']}?{live} This cannot be undone."


def _status(f: dict) -> dmc.Badge:
    live = f["status"] == "live"
    return dmc.Badge(
        "live" if live else "draft", color="green" if live else "gray", variant="light"
    )


FORMS = ItemKind(
    key="forms",
    noun="form",
    title="Name",
    items=_items,
    link=lambda form_id: f"/forms/{form_id}",
    columns=(
        Column("Kind", lambda f: f["kind"]),
        Column("Status", _status),
        Column("Views", lambda f: f"{f['views']:,}", "form-views"),
        Column("Submits", lambda f: f"{f['submits']:,}", "form-submits"),
        Column("Conversion", lambda f: _pct(f["conversion"]), "form-conversion"),
    ),
    duplicate=lambda s, a, form_id: service.duplicate(s, a, form_id).name,
    delete=service.delete,
    describe_delete=_describe_delete,
    empty=lambda: dmc.Alert(
        "No forms yet: start from a template above.",
        title="No forms",
        color="gray",
        id="forms-empty",
    ),
    row_id="form-row-{id}",
    row_class="form-row",
    name_class="form-link",
    delete_title="Delete this form?",
    delete_label="Delete form",
)
register(FORMS)

"""Ready-made flows a marketer starts from: complete definitions in the docs/api.md shape,
laid out for the canvas, so a new flow from a template can go live once reviewed."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from backend.flows.layout import apply_layout

DAY = 24 * 60


@dataclass(frozen=True)
class Template:
    key: str
    title: str
    description: str
    definition: dict[str, Any]

    def build(self, name: str | None = None) -> dict[str, Any]:
        """A fresh copy to save as a new flow (optionally renamed)."""
        defn = copy.deepcopy(self.definition)
        if name:
            defn["name"] = name
        return defn


def _welcome() -> dict[str, Any]:
    return {
        "name": "Welcome series",
        "trigger": {"type": "list", "list": "Newsletter"},
        "filters": [],
        "start": "welcome",
        "nodes": [
            {
                "id": "welcome",
                "type": "email",
                "subject": "Welcome{% if first_name %}, {{ first_name }}{% endif %}!",
                "body": "Hi {{ first_name | default('there') }},\n\n"
                "thanks for joining our newsletter. Here is what we are about.",
                "next": "wait_3_days",
            },
            {"id": "wait_3_days", "type": "delay", "minutes": 3 * DAY, "next": "ordered"},
            {
                "id": "ordered",
                "type": "split",
                "where": [{"metric": "Placed Order", "op": "gte", "count": 1, "days": 7}],
                "yes": None,
                "no": "discount",
            },
            {
                "id": "discount",
                "type": "email",
                "subject": "10% off your first order",
                "body": "Hi {{ first_name | default('there') }},\n\n"
                "use the code WELCOME10 for 10% off your first order.",
                "next": None,
            },
        ],
    }


def _abandoned_cart() -> dict[str, Any]:
    return {
        "name": "Abandoned cart",
        "trigger": {"type": "metric", "metric": "Added to Cart", "where": []},
        "filters": [],
        "start": "wait_4_hours",
        "nodes": [
            {"id": "wait_4_hours", "type": "delay", "minutes": 4 * 60, "next": "ordered"},
            {
                "id": "ordered",
                "type": "split",
                "where": [{"metric": "Placed Order", "op": "gte", "count": 1, "days": 1}],
                "yes": None,
                "no": "reminder",
            },
            {
                "id": "reminder",
                "type": "email",
                "subject": "You left something in your cart",
                "body": "Hi {{ first_name | default('there') }},\n\n"
                "{{ event.name | default('Your item') }} is still waiting for you.",
                "next": None,
            },
        ],
    }


def _post_purchase() -> dict[str, Any]:
    return {
        "name": "Post-purchase thank-you",
        "trigger": {"type": "metric", "metric": "Placed Order", "where": []},
        "filters": [],
        "start": "big_spender",
        "nodes": [
            {
                "id": "big_spender",
                "type": "split",
                "where": [{"field": "event.revenue", "op": "gte", "value": 100}],
                "yes": "vip_thanks",
                "no": "thanks",
                "ui": {"kind": "trigger_split"},
            },
            {
                "id": "vip_thanks",
                "type": "email",
                "subject": "A big thank-you, {{ first_name | default('friend') }}",
                "body": "Your order of {{ event.revenue | money }} makes you one of our best "
                "customers. Enjoy free shipping on your next order.",
                "next": "vip_list",
            },
            {"id": "vip_list", "type": "add_to_list", "list": "VIP", "next": None},
            {
                "id": "thanks",
                "type": "email",
                "subject": "Thank you for your order",
                "body": "Hi {{ first_name | default('there') }}, thanks for shopping with us.",
                "next": None,
            },
        ],
    }


TEMPLATES: dict[str, Template] = {
    t.key: t
    for t in (
        Template(
            "welcome",
            "Welcome series",
            "Greets new newsletter subscribers, then offers a discount to those who have "
            "not ordered within a week.",
            apply_layout(_welcome()),
        ),
        Template(
            "abandoned_cart",
            "Abandoned cart",
            "Reminds shoppers who added to cart and did not order within 4 hours.",
            apply_layout(_abandoned_cart()),
        ),
        Template(
            "post_purchase",
            "Post-purchase thank-you",
            "Thanks every buyer; orders of 100 or more get a VIP note and join the VIP list.",
            apply_layout(_post_purchase()),
        ),
    )
}


def blank(name: str = "Untitled flow", metric: str = "Placed Order") -> dict[str, Any]:
    """An empty draft: just a trigger; the builder adds the steps."""
    return {
        "name": name,
        "trigger": {"type": "metric", "metric": metric, "where": [], "ui": {"x": 0.0, "y": 0.0}},
        "filters": [],
        "start": None,
        "nodes": [],
    }

"""Starting points for the builder: a newsletter popup, a discount flyout, a footer embed."""

from __future__ import annotations

import copy

_EMAIL = {
    "name": "email",
    "type": "email",
    "label": "E-mail address",
    "placeholder": "you@example.com",
    "required": True,
}
_CONSENT = {
    "name": "consent",
    "type": "checkbox",
    "required": True,
    "consent": True,
    "label": "I agree to receive e-mails and can unsubscribe at any time.",
}

TEMPLATES: dict[str, dict] = {
    "newsletter_popup": {
        "name": "Newsletter popup",
        "kind": "popup",
        "list": "Newsletter",
        "fields": [_EMAIL, {"name": "first_name", "type": "text", "label": "First name"}, _CONSENT],
        "texts": {
            "title": "Join our newsletter",
            "description": "News, drops and the odd discount. No spam.",
            "button": "Subscribe",
            "close": "Close",
        },
        "success_message": "Thanks for subscribing!",
        "targeting": {"delay_seconds": 5, "scroll_percent": 0, "device": "all"},
        "frequency": {"hide_days_after_close": 7, "hide_after_submit": True},
    },
    "discount_flyout": {
        "name": "Discount flyout",
        "kind": "flyout",
        "list": "Discount",
        "fields": [_EMAIL, _CONSENT],
        "texts": {
            "title": "10% off your first order",
            "description": "Leave your e-mail and we send you the code.",
            "button": "Get my code",
            "close": "Close",
        },
        "style": {"button_color": "#e8590c"},
        "success_message": "Check your inbox for the code.",
        "targeting": {"scroll_percent": 40, "exit_intent": False},
        "frequency": {"hide_days_after_close": 14, "hide_after_submit": True},
    },
    "footer_embed": {
        "name": "Footer signup",
        "kind": "embed",
        "list": "Newsletter",
        "fields": [_EMAIL],
        "texts": {
            "title": "Stay in the loop",
            "description": "",
            "button": "Sign up",
            "close": "Close",
        },
        "success_message": "You're in!",
        "frequency": {"hide_days_after_close": 0, "hide_after_submit": False},
    },
}


def template(name: str) -> dict:
    if name not in TEMPLATES:
        raise KeyError(f"unknown template {name!r}; use one of {', '.join(TEMPLATES)}")
    return copy.deepcopy(TEMPLATES[name])

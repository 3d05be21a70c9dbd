"""What every modal and drawer of the console shares."""

from __future__ import annotations


def close_button() -> dict:
    """closeButtonProps for dmc.Modal / dmc.Drawer: Mantine's close button is an X icon with
    no name, which screen readers announce as just "button" (Mantine's docs label it so)."""
    return {"aria-label": "Close"}

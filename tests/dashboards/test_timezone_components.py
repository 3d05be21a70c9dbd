"""The account's zone where the dashboard shows time: the toolbar's note, the schedule modal's
hours and summary."""

from __future__ import annotations

from components.dashboard.schedule_modal import schedule_modal, schedule_summary
from components.dashboard.toolbar import toolbar


def _find(node, wanted_id):
    if getattr(node, "id", None) == wanted_id:
        return node
    children = getattr(node, "children", None)
    for child in children if isinstance(children, list) else [children]:
        if child is not None and not isinstance(child, str):
            found = _find(child, wanted_id)
            if found is not None:
                return found
    return None


def test_the_toolbar_says_the_zone_and_links_to_settings():
    note = _find(
        toolbar({"range": "last_7_days", "country": None}, "Europe/Paris"), "dash-timezone"
    )
    text, hidden = note.children
    assert text == "Times in Europe/Paris" and note.href == "/settings"
    assert hidden.className == "visually-hidden" and "Settings" in hidden.children


def test_the_schedule_summary_gives_local_hours():
    schedule = {
        "frequency": "daily",
        "hour": 8,
        "recipients": ["a@b.co"],
        "next_run_at": "2026-12-01T13:00:00Z",
        "timezone": "America/New_York",
        "last_error": None,
    }
    text = schedule_summary(schedule)
    assert "at 08:00 (America/New_York)" in text
    assert "Next: 2026-12-01 08:00 (America/New_York)." in text
    hour = _find(schedule_modal(schedule, "America/New_York"), "dash-schedule-hour")
    assert hour.label == "At (America/New_York time)" and hour.value == "8"

"""'E-mail this dashboard': a modal that sets the report schedule (daily, weekly, monthly)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import dash_mantine_components as dmc
from dash import html

from components.dialogs import close_button

FREQUENCIES = [
    {"value": "daily", "label": "Every day"},
    {"value": "weekly", "label": "Every Monday"},
    {"value": "monthly", "label": "On the 1st of each month"},
]
HOURS = [{"value": str(h), "label": f"{h:02d}:00"} for h in range(24)]


def _local(iso_utc: str, tz: str) -> str:
    """ "2026-12-01T13:00:00Z" -> "2026-12-01 08:00" in zone tz."""
    t = datetime.fromisoformat(iso_utc.rstrip("Z")).replace(tzinfo=UTC)
    return f"{t.astimezone(ZoneInfo(tz)):%Y-%m-%d %H:%M}"


def schedule_summary(schedule: dict | None) -> str:
    if not schedule:
        return "Not e-mailed yet."
    tz = schedule.get("timezone") or "UTC"
    label = next(f["label"] for f in FREQUENCIES if f["value"] == schedule["frequency"]).lower()
    text = (
        f"E-mailed {label} at {schedule['hour']:02d}:00 ({tz}) to "
        f"{', '.join(schedule['recipients'])}. "
        f"Next: {_local(schedule['next_run_at'], tz)} ({tz})."
    )
    if schedule.get("last_error"):
        text += f" The last one failed: {schedule['last_error']}"
    return text


def schedule_modal(schedule: dict | None, tz: str = "UTC") -> dmc.Modal:
    s = schedule or {}
    return dmc.Modal(
        id="dash-schedule-modal",
        closeButtonProps=close_button(),
        title="E-mail this dashboard",
        size="lg",
        children=dmc.Stack(
            [
                dmc.Text(
                    "A PDF report attached and the dashboard as an image in the message, sent "
                    "over SMTP (TALLY_SMTP_URL).",
                    size="sm",
                    c="dimmed",
                ),
                dmc.Select(
                    id="dash-schedule-frequency",
                    label="How often",
                    data=FREQUENCIES,
                    value=s.get("frequency", "weekly"),
                    allowDeselect=False,
                ),
                dmc.Select(
                    id="dash-schedule-hour",
                    label=f"At ({tz} time)",
                    data=HOURS,
                    value=str(s.get("hour", 8)),
                    allowDeselect=False,
                    description="The account's time zone; change it in Settings",
                ),
                dmc.TagsInput(
                    id="dash-schedule-recipients",
                    label="Recipients",
                    description="Type an e-mail address and press Enter",
                    value=s.get("recipients", []),
                    splitChars=[",", " ", ";"],
                ),
                html.Div(
                    schedule_summary(schedule),
                    id="dash-schedule-summary",
                    role="status",
                    **{"aria-live": "polite"},
                ),
                dmc.Group(
                    [
                        dmc.Button(
                            "Stop e-mails",
                            id="dash-schedule-stop",
                            color="red",
                            variant="subtle",
                            disabled=schedule is None,
                        ),
                        dmc.Button("Save schedule", id="dash-schedule-save"),
                    ],
                    justify="space-between",
                ),
            ]
        ),
    )

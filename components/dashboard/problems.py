"""Problems in the card editor and the e-mail schedule, in the words of their controls: the
services name a path ("card.w", "recipients[1]"); a person looks for "Width (of 12 columns)"
or the address they typed."""

from __future__ import annotations

import re

CARD_LABELS = {
    "title": "Title",
    "metric": "Metric",
    "measure": "Measure",
    "chart": "Chart",
    "interval": "Interval",
    "range": "Date range",
    "by": "Group by",
    "top": "Top",
    "w": "Width (of 12 columns)",
    "h": "Height (rows)",
    "compare": "Compare with the previous period",
}
SCHEDULE_LABELS = {"frequency": "How often", "hour": "At", "recipients": "Recipients"}
_RECIPIENT = re.compile(r"recipients\[(\d+)\]")


def card_problem(field: str, problem: str) -> str:
    """ "card.w", "must be ..." -> "Width (of 12 columns): must be ..." """
    key = field.rpartition(".")[2]
    if field == "range":  # the editor's own check of the custom dates
        return f"Custom range: {problem}."
    return f"{CARD_LABELS.get(key, field)}: {problem}."


def schedule_problem(message: str, recipients: list[str]) -> str:
    """ "recipients[1]: is not an e-mail address" -> "Recipients: “bob@” is not an e-mail
    address." """
    field, _, problem = message.partition(": ")
    if (m := _RECIPIENT.fullmatch(field)) and int(m.group(1)) < len(recipients):
        return f"Recipients: “{recipients[int(m.group(1))]}” {problem}."
    return f"{SCHEDULE_LABELS.get(field, field)}: {problem}."

"""A notice in the header while counting (or storing) lags behind what was accepted.

Events are acknowledged as soon as they are on disk and counted by the aggregator soon
after (docs/ingestion.md); after a burst larger than it folds per second, the newest events
are not in any number yet. A marketer looking at a dashboard then should know, instead of
reading a dip into it. The spool is shared, so the lag is the same for every account.
"""

from __future__ import annotations

import dash_mantine_components as dmc
from dash import Input, Output, callback, dcc, html

from backend.ingest.backlog import backlog
from components.context import runtime

LAG_SECONDS = 60  # a pass or two behind is "live"; past a minute, say so
CHECK_EVERY_MS = 20_000


def ingest_status() -> html.Div:
    # role=status: screen readers announce the notice when it appears, without moving focus.
    return html.Div(
        [
            html.Div(id="shell-ingest-status", role="status", **{"aria-live": "polite"}),
            dcc.Interval(id="shell-ingest-tick", interval=CHECK_EVERY_MS),
        ]
    )


def lag_text(uncounted_seconds: float, unstored_seconds: float = 0) -> str | None:
    """What to tell the user about a backlog: how long its oldest uncounted event waited,
    and its oldest event not yet on profiles (on SQLite counting runs ahead of storing)."""
    if uncounted_seconds >= LAG_SECONDS:
        return (
            f"Counting is catching up: events from the last {_span(uncounted_seconds)} "
            "are not in the numbers yet"
        )
    if unstored_seconds >= LAG_SECONDS:
        return (
            f"Profiles are catching up: events from the last {_span(unstored_seconds)} "
            "are counted but not on profiles yet"
        )
    return None


def _span(seconds: float) -> str:
    minutes = round(seconds / 60)
    return f"{minutes} min" if minutes < 60 else f"{seconds / 3600:.1f} h"


def _behind(rt) -> tuple[float, float]:
    """(oldest uncounted, oldest unstored) in seconds: the spool's backlog, or in Kafka mode
    the consumer groups' lag (docs/kafka.md)."""
    if rt.settings.queue == "kafka":
        from backend.queue.lag import lag
        from backend.queue.topics import names

        q = lag(rt.settings.kafka_bootstrap, names(rt.settings))
        if "error" in q:  # ingestion answers 503 and says so; the console reads on
            return 0.0, 0.0
        return q["counting"]["oldest_seconds"], q["storing"]["oldest_seconds"]
    behind = backlog(rt)
    return behind["oldest_seconds"], behind["unstored"]["oldest_seconds"]


@callback(Output("shell-ingest-status", "children"), Input("shell-ingest-tick", "n_intervals"))
def _refresh(_n):
    text = lag_text(*_behind(runtime()))
    if text is None:
        return None
    # Dark amber text on the light yellow: Mantine's own yellow text there is ~2:1 contrast.
    # On a narrow header the badge ends in an ellipsis; the title keeps the whole sentence.
    badge = dmc.Badge(
        text,
        color="yellow",
        variant="light",
        size="lg",
        tt="none",
        c="#5c3c00",
        maw="55vw",
        id="shell-ingest-lag",
    )
    return html.Span(badge, title=text)

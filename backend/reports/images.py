"""Chart images with kaleido and Debian's Chromium: one long-lived browser per process
(kaleido.start_sync_server), so an export costs ~0.2 s instead of a browser start (~3 s).
Maps read the world outline from assets/topojson, never from the network."""

from __future__ import annotations

import atexit
import threading
import warnings

import plotly.graph_objects as go
import plotly.io as pio

from backend.config import PROJECT_ROOT

TOPOJSON = (PROJECT_ROOT / "assets" / "topojson").as_uri() + "/"
_lock = threading.Lock()
_started = False


def _ensure_server() -> None:
    global _started
    if _started:
        return
    with _lock:
        if not _started:
            import kaleido

            pio.defaults.topojson = TOPOJSON
            kaleido.start_sync_server(silence_warnings=True)
            atexit.register(kaleido.stop_sync_server, silence_warnings=True)
            _started = True


def render(
    fig: go.Figure, fmt: str, width: int = 900, height: int = 420, scale: float = 1
) -> bytes:
    """fig as png, svg or pdf bytes."""
    _ensure_server()
    fig = go.Figure(fig)  # a copy: exports get a white page, the app a transparent one
    fig.update_layout(paper_bgcolor="white", plot_bgcolor="white")
    with warnings.catch_warnings():
        # plotly passes browser options that a running kaleido server already has
        warnings.filterwarnings("ignore", message="The kopts argument is ignored")
        return pio.to_image(fig, format=fmt, width=width, height=height, scale=scale)

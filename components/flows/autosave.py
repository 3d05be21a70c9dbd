"""Flow work is kept: every change on the canvas is written to this browser's localStorage
(the "flow-autosave" store, one entry per flow) until a save succeeds, and a page opened
over such an entry puts it back on the canvas and says so. So leaving the editor, a reload,
or an Activate the server refuses loses nothing; Undo goes back to the saved version.

Kept in the browser, not on the server: a draft that is not yet a valid flow (a step not
connected to the trigger) cannot be a saved version, and a live flow's saved version is
what runs."""

from __future__ import annotations

from datetime import UTC, datetime

from dash import Input, Output, State, callback, clientside_callback, ctx, dcc, html, no_update

from components.flows.canvas import problems_by_node, to_canvas


def stores() -> list:
    return [
        dcc.Store(id="flow-autosave", storage_type="local"),
        dcc.Store(id="flow-autosave-checked", data=False),
        dcc.Store(id="flow-autosave-sink"),
    ]


def note() -> html.Div:
    return html.Div(
        id="flow-autosave-note", role="status", className="notice", **{"aria-live": "polite"}
    )


@callback(
    Output("flow-autosave", "data"),
    Output("flow-autosave-checked", "data", allow_duplicate=True),
    Input("flow-history", "data"),
    Input("flow-name", "value"),
    Input("flow-saved", "data"),
    State("flow-id", "data"),
    State("flow-autosave", "data"),
    prevent_initial_call=True,
)
def keep(history, name, _saved, fid, kept):
    """A change (the history has a past) is kept; a successful save drops what was kept.
    Writing marks the page checked, so what this page wrote is not offered back to it."""
    kept = dict(kept or {})
    key = str(fid)
    if ctx.triggered_id == "flow-saved":
        if kept.pop(key, None) is None:
            return no_update, no_update
        return kept, True
    if not history or not history.get("past") or not history.get("present"):
        return no_update, no_update
    kept[key] = {
        "defn": {**history["present"], "name": name},
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    return kept, True


@callback(
    Output("flow-canvas", "nodes", allow_duplicate=True),
    Output("flow-canvas", "edges", allow_duplicate=True),
    Output("flow-draft", "data", allow_duplicate=True),
    Output("flow-name", "value", allow_duplicate=True),
    Output("flow-autosave-note", "children"),
    Output("flow-autosave-checked", "data"),
    Input("flow-autosave", "modified_timestamp"),
    State("flow-autosave", "data"),
    State("flow-autosave-checked", "data"),
    State("flow-id", "data"),
    State("flow-saved", "data"),
    State("flow-stats", "data"),
    prevent_initial_call="initial_duplicate",
)
def bring_back(_ts, kept, checked, fid, saved, stats):
    """Once, when the page opens: the changes this browser kept for the flow, if any. The
    store's data arrive from localStorage after the first call, so "nothing kept" does not
    settle it; the first change on the page (keep) does."""
    if checked:
        return (no_update,) * 6
    entry = (kept or {}).get(str(fid))
    if not entry:
        return (no_update,) * 6
    if entry["defn"] == saved:
        return (no_update,) * 5 + (True,)
    defn = entry["defn"]
    nodes, edges = to_canvas(defn, problems_by_node(defn), stats)
    at = datetime.fromisoformat(entry["at"]).strftime("%b %d, %H:%M UTC")
    message = html.Span(
        [
            html.Strong("Your unsaved changes are back"),
            f" (kept in this browser at {at}). Save or Activate to keep them; Undo goes back "
            "to the saved version.",
        ],
        id="flow-autosave-restored",
    )
    return nodes, edges, defn, defn.get("name") or no_update, message, True


# Leaving with changes not saved anywhere but this browser: the browser asks first.
clientside_callback(
    """function (kept, fid) {
        window.__tallyFlowUnsaved = !!(kept && kept[String(fid)]);
        if (!window.__tallyFlowGuard) {
            window.__tallyFlowGuard = true;
            window.addEventListener("beforeunload", function (e) {
                if (window.__tallyFlowUnsaved && document.getElementById("flow-canvas")) {
                    e.preventDefault();
                    e.returnValue = "";
                }
            });
        }
        return window.__tallyFlowUnsaved;
    }""",
    Output("flow-autosave-sink", "data"),
    Input("flow-autosave", "data"),
    State("flow-id", "data"),
)

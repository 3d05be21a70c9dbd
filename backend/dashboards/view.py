"""A person's view of a dashboard: the filters they try, kept in the page's link (so a view
can be shared) and not saved for everyone until they choose "Save as default".

The link's parameters are those of the export URL: ?range=<preset> or ?start=&end= (ISO
dates), and ?country=<ISO code> ("" for all countries)."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlencode

from backend.dashboards import schema


def from_query(params: Mapping[str, str], saved: dict) -> dict:
    """The filters a link asks for over the dashboard's saved ones. A value that is not
    valid (an old or hand-edited link) falls back to the saved one, silently: the page
    still opens, and the toolbar shows what is applied."""
    view = {"range": saved["range"], "country": saved.get("country")}
    if params.get("start") or params.get("end"):
        wanted = {"start": params.get("start", ""), "end": params.get("end", "")}
    else:
        wanted = params.get("range")
    if wanted:
        try:
            view["range"] = schema.filters({"range": wanted})["range"]
        except schema.DashboardInvalid:
            pass
    if "country" in params:
        try:
            view["country"] = schema.filters({"country": params["country"]})["country"]
        except schema.DashboardInvalid:
            pass
    return view


def to_query(view: dict) -> str:
    """The link's query string for a view (without "?")."""
    rng = view.get("range")
    params = {"start": rng["start"], "end": rng["end"]} if isinstance(rng, dict) else {}
    if isinstance(rng, str):
        params["range"] = rng
    params["country"] = view.get("country") or ""
    return urlencode(params)


def differs(view: dict, saved: dict) -> bool:
    """Whether the view is not the dashboard's saved default."""
    return view.get("range") != saved.get("range") or (view.get("country") or None) != (
        saved.get("country") or None
    )

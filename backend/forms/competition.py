"""Which live popups compete with a form: a storefront shows one popup at a time (the lowest
priority number first, assets/embed/embed.js), so a popup published where another one is
live waits its turn, or shows instead of it. The builder names them when it publishes."""

from __future__ import annotations

from sqlalchemy.orm import Session

from backend.forms.service import get, live_forms


def _overlap(a: dict, b: dict) -> bool:
    """Whether one shopper on one page can be targeted by both (URL texts can both match)."""
    da, db = a["device"], b["device"]
    if "all" not in (da, db) and da != db:
        return False
    ca, cb = set(a["countries"]), set(b["countries"])
    return not (ca and cb and not ca & cb)


def competitors(session: Session, account_id: str, form_id: int) -> list[dict]:
    """The other live popups a live popup can meet: [{"id", "name", "priority"}]."""
    form = get(session, account_id, form_id)
    mine = form.published or form.definition
    if mine["kind"] != "popup":
        return []
    out = []
    for fid, _version, d in live_forms(session, account_id):
        if fid != form_id and d["kind"] == "popup" and _overlap(mine["targeting"], d["targeting"]):
            out.append(
                {"id": fid, "name": d["name"], "priority": d["targeting"].get("priority", 5)}
            )
    return out


def warning(form: dict, rivals: list[dict]) -> str | None:
    """The builder's words for competing popups, or None."""
    if not rivals:
        return None
    names = ", ".join(f"“{r['name']}” (priority {r['priority']})" for r in rivals)
    mine = form["targeting"].get("priority", 5)
    return (
        f"Competes with live popup{'s' if len(rivals) > 1 else ''} {names} for the same "
        f"shoppers. One popup shows at a time: the lowest priority number first (this one is "
        f"{mine}), the others wait until it is closed, and a visitor sees at most 2 different "
        f"popups a day. Change the priority under Targeting to choose."
    )

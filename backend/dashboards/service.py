"""Dashboards of an account: CRUD, duplicate, per-card edits and layout saves.

Every change goes through schema.definition(), so what the API, the pages and the
default-dashboard code store is always a valid definition.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.analytics import dimensions_of
from backend.dashboards import schema
from backend.dashboards.defaults import overview
from backend.errors import NotFound
from backend.store.db import utcnow
from backend.store.models import Dashboard


class DashboardNotFound(NotFound):
    pass


def to_json(d: Dashboard) -> dict:
    return {
        "id": d.id,
        **d.definition,
        "created_at": d.created_at.isoformat() + "Z",
        "updated_at": d.updated_at.isoformat() + "Z",
    }


def get(s: Session, account_id: str, dashboard_id: int) -> Dashboard:
    d = s.get(Dashboard, dashboard_id)
    if d is None or d.account_id != account_id:
        raise DashboardNotFound(f"no dashboard {dashboard_id} in this account")
    return d


def landing(s: Session, account_id: str) -> str:
    """Where a login lands: the account's first dashboard (the Overview made at sign-up) once
    it has events, not a list of one; before the first event, "/" shows how to send one."""
    from backend.analytics import list_metrics

    first = s.scalar(
        select(Dashboard.id)
        .where(Dashboard.account_id == account_id)
        .order_by(Dashboard.id)
        .limit(1)
    )
    if first is None or not list_metrics(s, account_id):
        return "/"
    return f"/dashboards/{first}"


def list_dashboards(s: Session, account_id: str) -> list[Dashboard]:
    return list(
        s.scalars(
            select(Dashboard).where(Dashboard.account_id == account_id).order_by(Dashboard.id)
        )
    )


def _checked(s: Session, account_id: str, body: dict) -> dict:
    """schema.definition() plus what needs the account: group-by names a known dimension."""
    defn = schema.definition(body)
    dims = dimensions_of(s, account_id)
    for i, c in enumerate(defn["cards"]):
        if c["by"] is not None and c["by"] not in dims:
            raise schema.DashboardInvalid(
                f"cards[{i}].by", f"unknown dimension {c['by']!r}; use one of {', '.join(dims)}"
            )
    return defn


def create(s: Session, account_id: str, body: dict) -> Dashboard:
    defn = _checked(s, account_id, body)
    d = Dashboard(account_id=account_id, name=defn["name"], definition=defn)
    s.add(d)
    s.flush()
    return d


def create_overview(s: Session, account_id: str) -> Dashboard:
    return create(s, account_id, overview())


def _store(d: Dashboard, defn: dict) -> Dashboard:
    d.definition, d.name, d.updated_at = defn, defn["name"], utcnow()
    return d


def update(s: Session, account_id: str, dashboard_id: int, body: dict) -> Dashboard:
    d = get(s, account_id, dashboard_id)
    return _store(d, _checked(s, account_id, body))


def delete(s: Session, account_id: str, dashboard_id: int) -> None:
    s.delete(get(s, account_id, dashboard_id))


def rename(s: Session, account_id: str, dashboard_id: int, name: str) -> Dashboard:
    d = get(s, account_id, dashboard_id)
    return _store(d, {**d.definition, "name": schema.name(name)})


def duplicate(s: Session, account_id: str, dashboard_id: int) -> Dashboard:
    d = get(s, account_id, dashboard_id)
    copy_name = f"{d.name} (copy)"[:200]
    return create(s, account_id, {**d.definition, "name": copy_name})


def set_filters(s: Session, account_id: str, dashboard_id: int, filters: dict) -> Dashboard:
    d = get(s, account_id, dashboard_id)
    return _store(d, schema.definition({**d.definition, "filters": filters}))


def upsert_card(s: Session, account_id: str, dashboard_id: int, raw: dict) -> dict:
    """Add a card (placed below the others) or replace the card with the same id, keeping
    its position and size. Returns the stored card."""
    d = get(s, account_id, dashboard_id)
    cards = list(d.definition["cards"])
    new = dict(raw)
    new["id"] = new.get("id") or schema.new_card_id()
    old = next((c for c in cards if c["id"] == new.get("id")), None)
    if old is not None:  # keep its place; a size given (the editor's) replaces the old one
        new.update({k: old[k] for k in ("x", "y")})
        new.setdefault("w", old["w"])
        new.setdefault("h", old["h"])
        new["x"] = max(0, min(new["x"], schema.COLS - int(new["w"])))
        cards = [new if c["id"] == old["id"] else c for c in cards]
    else:
        new["x"], new["y"] = 0, max((c["y"] + c["h"] for c in cards), default=0)
        new.setdefault("w", 6)
        new.setdefault("h", 2)
        cards.append(new)
    defn = _checked(s, account_id, {**d.definition, "cards": cards})
    _store(d, defn)
    return next(c for c in defn["cards"] if c["id"] == new["id"])


def remove_card(s: Session, account_id: str, dashboard_id: int, card_id: str) -> Dashboard:
    d = get(s, account_id, dashboard_id)
    cards = [c for c in d.definition["cards"] if c["id"] != card_id]
    return _store(d, {**d.definition, "cards": cards})


def save_layout(s: Session, account_id: str, dashboard_id: int, layout: list[dict]) -> bool:
    """Apply grid positions [{"i": card id, x, y, w, h}]; False when nothing moved."""
    d = get(s, account_id, dashboard_id)
    pos = {item["i"]: item for item in layout if isinstance(item, dict) and "i" in item}
    cards, changed = [], False
    for c in d.definition["cards"]:
        p = pos.get(c["id"])
        if p is not None:
            moved = {k: int(p[k]) for k in ("x", "y", "w", "h") if k in p}
            if any(c[k] != v for k, v in moved.items()):
                c, changed = {**c, **moved}, True
        cards.append(c)
    if changed:
        _store(d, schema.definition({**d.definition, "cards": cards}))
    return changed

"""The dashboards service on both stores: per-card edits keep positions, layout saves report
whether anything moved, duplicate / rename / delete, and accounts stay apart."""

from __future__ import annotations

import pytest

from backend.dashboards import DashboardInvalid, DashboardNotFound, service


@pytest.fixture
def dash(runtime, account):
    with runtime.db.session() as s:
        return service.create(
            s,
            account.id,
            {
                "name": "Ops",
                "cards": [
                    {"id": "a", "metric": "Placed Order", "x": 0, "y": 0, "w": 6, "h": 2},
                    {"id": "b", "metric": "Opened Email", "x": 6, "y": 0, "w": 6, "h": 3},
                ],
            },
        ).id


def cards(runtime, account, did) -> dict:
    with runtime.db.session() as s:
        return {c["id"]: c for c in service.get(s, account.id, did).definition["cards"]}


def test_editing_a_card_keeps_its_place_and_new_cards_go_below(runtime, account, dash):
    with runtime.db.session() as s:
        service.upsert_card(
            s, account.id, dash, {"id": "a", "metric": "Placed Order", "chart": "bar", "x": 9}
        )
        service.upsert_card(
            s, account.id, dash, {"id": "b", "metric": "Opened Email", "w": 12, "h": 1}
        )
        new = service.upsert_card(s, account.id, dash, {"metric": "Submitted Form"})
    got = cards(runtime, account, dash)
    assert got["a"]["chart"] == "bar" and (got["a"]["x"], got["a"]["w"]) == (0, 6)
    # a new size from the editor: kept on the grid (x moves left so it still fits)
    assert {k: got["b"][k] for k in "xywh"} == {"x": 0, "y": 0, "w": 12, "h": 1}
    assert got[new["id"]]["y"] == 2 and got[new["id"]]["x"] == 0


def test_save_layout(runtime, account, dash):
    with runtime.db.session() as s:
        same = [{"i": "a", "x": 0, "y": 0, "w": 6, "h": 2}]
        assert service.save_layout(s, account.id, dash, same) is False
        moved = [{"i": "a", "x": 6, "y": 3, "w": 4, "h": 1}, {"i": "gone", "x": 1}]
        assert service.save_layout(s, account.id, dash, moved) is True
    got = cards(runtime, account, dash)
    assert {k: got["a"][k] for k in "xywh"} == {"x": 6, "y": 3, "w": 4, "h": 1}
    with runtime.db.session() as s, pytest.raises(DashboardInvalid):
        service.save_layout(s, account.id, dash, [{"i": "a", "x": 6, "y": 0, "w": 40, "h": 1}])


def test_duplicate_rename_remove_delete(runtime, account, dash):
    with runtime.db.session() as s:
        copy = service.duplicate(s, account.id, dash)
        assert copy.name == "Ops (copy)" and copy.id != dash
        assert copy.definition["cards"] == service.get(s, account.id, dash).definition["cards"]
        service.rename(s, account.id, copy.id, "  Ops 2 ")
        service.remove_card(s, account.id, copy.id, "a")
    with runtime.db.session() as s:
        again = service.get(s, account.id, copy.id)
        assert again.name == "Ops 2" and [c["id"] for c in again.definition["cards"]] == ["b"]
        with pytest.raises(DashboardInvalid):
            service.rename(s, account.id, copy.id, "")
        service.delete(s, account.id, copy.id)
    with runtime.db.session() as s, pytest.raises(DashboardNotFound):
        service.get(s, account.id, copy.id)


def test_another_account_cannot_touch_it(runtime, account, make_account, dash):
    other = make_account("Other", email="o@other.test")
    with runtime.db.session() as s:
        for call in (
            lambda: service.get(s, other.id, dash),
            lambda: service.rename(s, other.id, dash, "x"),
            lambda: service.save_layout(s, other.id, dash, []),
            lambda: service.delete(s, other.id, dash),
        ):
            with pytest.raises(DashboardNotFound):
                call()
        assert [d.name for d in service.list_dashboards(s, other.id)] == ["Overview"]

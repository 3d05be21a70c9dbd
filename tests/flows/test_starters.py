"""The three templates: valid, complete (can go live as they are), laid out, and saveable."""

from __future__ import annotations

import pytest

from backend.flows import service
from backend.flows.layout import TRIGGER, layout
from backend.flows.schema import check_structure, completeness
from backend.flows.starters import TEMPLATES, blank


def test_the_three_templates_exist():
    assert set(TEMPLATES) == {"welcome", "abandoned_cart", "post_purchase"}


@pytest.mark.parametrize("key", sorted(TEMPLATES))
def test_each_template_is_valid_complete_and_laid_out(key):
    defn = TEMPLATES[key].build()
    check_structure(defn)
    assert completeness(defn) == []
    pos = layout(defn)
    for node in defn["nodes"]:
        assert {k: node["ui"][k] for k in ("x", "y")} == pos[node["id"]]
    assert defn["trigger"]["ui"] == pos[TRIGGER]


def test_build_returns_a_copy_and_renames():
    a = TEMPLATES["welcome"].build("Hello")
    a["nodes"].clear()
    assert a["name"] == "Hello" and TEMPLATES["welcome"].build()["nodes"]


def _node(defn, nid):
    return next(n for n in defn["nodes"] if n["id"] == nid)


def test_welcome_series_shape():
    d = TEMPLATES["welcome"].build()
    assert d["trigger"] == {"type": "list", "list": "Newsletter", "ui": d["trigger"]["ui"]}
    first = _node(d, d["start"])
    assert first["type"] == "email"
    delay = _node(d, first["next"])
    assert delay["type"] == "delay" and delay["minutes"] == 3 * 24 * 60
    split = _node(d, delay["next"])
    assert split["where"] == [{"metric": "Placed Order", "op": "gte", "count": 1, "days": 7}]
    assert split["yes"] is None and _node(d, split["no"])["type"] == "email"


def test_abandoned_cart_shape():
    d = TEMPLATES["abandoned_cart"].build()
    assert d["trigger"]["metric"] == "Added to Cart"
    delay = _node(d, d["start"])
    assert delay["minutes"] == 240
    split = _node(d, delay["next"])
    assert split["where"] == [{"metric": "Placed Order", "op": "gte", "count": 1, "days": 1}]
    assert split["yes"] is None and _node(d, split["no"])["type"] == "email"


def test_post_purchase_has_a_big_spender_branch():
    d = TEMPLATES["post_purchase"].build()
    assert d["trigger"]["metric"] == "Placed Order"
    split = _node(d, d["start"])
    assert split["where"] == [{"field": "event.revenue", "op": "gte", "value": 100}]
    assert _node(d, split["yes"])["type"] == "email"
    assert _node(d, split["no"])["type"] == "email"


def test_templates_save_activate_and_keep_positions(runtime, account):
    for key, template in TEMPLATES.items():
        with runtime.db.session() as s:
            flow = service.create(s, account.id, template.build())
            service.activate(s, account.id, flow.id)
            saved = service.to_json(flow)
        assert saved["status"] == "live", key
        assert [n["ui"] for n in saved["nodes"]] == [n["ui"] for n in template.build()["nodes"]]


def test_blank_is_a_saveable_draft(runtime, account):
    with runtime.db.session() as s:
        flow = service.create(s, account.id, blank())
        assert service.to_json(flow)["nodes"] == []
        with pytest.raises(service.FlowInvalid):
            service.activate(s, account.id, flow.id)

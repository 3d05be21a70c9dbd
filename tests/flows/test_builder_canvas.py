"""The builder's pure parts: definition <-> canvas, problems by node, panel fields,
condition rows, delay units."""

from __future__ import annotations

from backend.flows.starters import TEMPLATES, blank
from components.flows.canvas import from_canvas, normalise_edges, problems_by_node, to_canvas
from components.flows.catalog import new_node, split_minutes, summary
from components.flows.conditions import read_conditions
from components.flows.panel import apply_fields


def test_every_template_survives_the_round_trip_through_the_canvas():
    for t in TEMPLATES.values():
        defn = t.build()
        nodes, edges = to_canvas(defn)
        assert from_canvas(defn, nodes, normalise_edges(nodes, edges)) == defn


def test_canvas_nodes_have_named_handles_and_the_trigger_cannot_be_deleted():
    nodes, edges = to_canvas(TEMPLATES["post_purchase"].build())
    by_id = {n["id"]: n for n in nodes}
    assert by_id["trigger"]["deletable"] is False
    assert [h["id"] for h in by_id["big_spender"]["data"]["handles"]] == ["in", "yes", "no"]
    assert [h["id"] for h in by_id["trigger"]["data"]["handles"]] == ["next"]
    assert {e["id"] for e in edges} == {
        "trigger:next",
        "big_spender:yes",
        "big_spender:no",
        "vip_thanks:next",
    }


def test_positions_come_from_the_canvas_and_land_in_ui():
    defn = TEMPLATES["welcome"].build()
    nodes, edges = to_canvas(defn)
    nodes[1]["position"] = {"x": 512.345, "y": -20}
    out = from_canvas(defn, nodes, edges)
    assert out["nodes"][0]["ui"] == {"x": 512.3, "y": -20}


def test_normalise_edges_keeps_the_latest_per_handle_and_drops_bad_ones():
    defn = blank()
    defn["nodes"] = [new_node("email", "a", 0, 0), new_node("delay", "b", 0, 0)]
    nodes, _ = to_canvas(defn)
    drawn = [
        {"id": "x1", "source": "trigger", "sourceHandle": "next", "target": "b"},
        {"id": "x2", "source": "trigger", "sourceHandle": "next", "target": "a"},
        {"id": "x3", "source": "a", "sourceHandle": "next", "target": "a"},  # itself
        {"id": "x4", "source": "b", "sourceHandle": "next", "target": "trigger"},
        {"id": "x5", "source": "a", "sourceHandle": "next", "target": "gone"},
        {"id": "x6", "source": "a", "sourceHandle": "next", "target": "b"},
    ]
    clean = normalise_edges(nodes, drawn)
    assert [(e["id"], e["target"]) for e in clean] == [("trigger:next", "a"), ("a:next", "b")]
    out = from_canvas(defn, nodes, clean)
    assert (
        out["start"] == "a" and out["nodes"][0]["next"] == "b" and out["nodes"][1]["next"] is None
    )


def test_problems_are_keyed_by_node_and_an_unwired_trigger_is_named():
    defn = blank()
    defn["nodes"] = [new_node("email", "mail", 0, 0)]
    problems = problems_by_node(defn)
    assert problems["trigger"] == ["The flow has no first step: connect a step to the trigger."]
    assert any(p.startswith("not connected to the trigger") for p in problems["mail"])
    assert "the e-mail needs a subject" in problems["mail"]
    defn["start"] = "mail"
    defn["nodes"][0].update(subject="Hi", body="Hello")
    assert problems_by_node(defn) == {}
    defn["nodes"][0]["body"] = "{{ oops"
    assert problems_by_node(defn)["mail"][0].startswith("body: template error")
    assert problems_by_node(blank())["trigger"] == [
        "Add a step from the palette and connect the trigger to it."
    ]


def test_delay_amount_and_unit_become_minutes():
    draft = {**blank(), "nodes": [new_node("delay", "d", 0, 0)]}
    out = apply_fields(draft, "d", {"amount": 3, "unit": "days"})
    assert out["nodes"][0]["minutes"] == 3 * 24 * 60
    assert split_minutes(4320) == (3, "days") and split_minutes(90) == (90, "minutes")
    assert summary(out["nodes"][0]) == "Wait 3 days"
    assert apply_fields(draft, "d", {"amount": 2, "unit": "hours"})["nodes"][0]["minutes"] == 120


def test_trigger_fields_switch_between_metric_and_list():
    draft = blank()
    out = apply_fields(draft, "trigger", {"trigger_type": "list"})
    assert out["trigger"]["type"] == "list" and out["trigger"]["list"] == ""
    out = apply_fields(out, "trigger", {"trigger_type": "list", "list": "VIP"})
    assert out["trigger"]["list"] == "VIP" and out["trigger"]["ui"] == {"x": 0.0, "y": 0.0}


def test_update_profile_traits_are_parsed_from_lines():
    draft = {**blank(), "nodes": [new_node("update_profile", "u", 0, 0)]}
    out = apply_fields(draft, "u", {"traits": "tier = gold\nbad line\n vip=yes "})
    assert out["nodes"][0]["traits"] == {"tier": "gold", "vip": "yes"}


def test_condition_rows_become_api_conditions():
    rows = {
        0: {"kind": "event", "name": "revenue", "op": "gte", "value": "100"},
        1: {"kind": "metric", "metric": "Placed Order", "op": "gte", "count": 1, "days": 7},
        2: {"kind": "country", "name": "", "op": "in", "value": "US, FR"},
        3: {"kind": "traits", "name": "vip", "op": "exists", "value": ""},
        4: {"kind": "metric", "name": "left over from a trait row"},
    }
    assert read_conditions(rows) == [
        {"field": "event.revenue", "op": "gte", "value": 100},
        {"metric": "Placed Order", "op": "gte", "count": 1, "days": 7},
        {"field": "country", "op": "in", "value": ["US", "FR"]},
        {"field": "traits.vip", "op": "exists"},
        {"metric": "", "op": "gte", "count": 1, "days": 7},
    ]


def test_history_records_changes_and_walks_back_and_forth():
    from components.flows.history import MAX_STEPS, record, redo, undo

    h = record(None, {"v": 0})
    assert h == {"past": [], "present": {"v": 0}, "future": []}
    assert record(h, {"v": 0}) is None  # no change, no step
    h = record(record(h, {"v": 1}), {"v": 2})
    h = undo(h)
    assert h["present"] == {"v": 1} and undo(undo(h)) is None
    h = redo(h)
    assert h["present"] == {"v": 2} and redo(h) is None
    h = record(undo(h), {"v": 3})  # a new change forgets what could be redone
    assert h["future"] == [] and h["past"] == [{"v": 0}, {"v": 1}]
    for i in range(MAX_STEPS + 10):
        h = record(h, {"i": i})
    assert len(h["past"]) == MAX_STEPS


def test_drop_position_undoes_the_double_pane_offset_and_centres_the_node():
    from components.flows.canvas import HEIGHT, WIDTH, drop_position

    # pane at (443, 173) on screen, viewport translate(92, 198.5) scale(1.5), pointer (593, 293):
    # the true canvas point is ((593 - 443) - 92) / 1.5, ((293 - 173) - 198.5) / 1.5
    wrong = {"x": ((593 - 2 * 443) - 92) / 1.5, "y": ((293 - 2 * 173) - 198.5) / 1.5}
    dropped = {"position": wrong, "clientX": 593, "clientY": 293}
    x, y = drop_position(dropped, {"x": 92, "y": 198.5, "zoom": 1.5})
    assert abs(x - ((150 - 92) / 1.5 - WIDTH / 2)) < 1e-9
    assert abs(y - ((120 - 198.5) / 1.5 - HEIGHT / 2)) < 1e-9
    # no viewport known yet: the position as given
    assert drop_position(dropped, None) == (wrong["x"] - WIDTH / 2, wrong["y"] - HEIGHT / 2)

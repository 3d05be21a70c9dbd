"""Auto-layout: rows follow the path, branches spread, nothing overlaps, drafts never hang."""

from __future__ import annotations

from backend.flows.layout import COL, ROW, TRIGGER, apply_layout, layout


def _flow(start, *nodes):
    return {
        "name": "f",
        "trigger": {"type": "metric", "metric": "M"},
        "start": start,
        "nodes": list(nodes),
    }


def _overlaps(pos):
    seen = [(p["x"], p["y"]) for p in pos.values()]
    return len(seen) != len(set(seen))


def test_a_chain_goes_straight_down_under_the_trigger():
    pos = layout(
        _flow(
            "a",
            {"id": "a", "type": "email", "next": "b"},
            {"id": "b", "type": "delay", "next": "c"},
            {"id": "c", "type": "webhook", "next": None},
        )
    )
    assert [pos[n]["y"] for n in (TRIGGER, "a", "b", "c")] == [0, ROW, 2 * ROW, 3 * ROW]
    assert len({pos[n]["x"] for n in (TRIGGER, "a", "b", "c")}) == 1


def test_a_split_puts_yes_left_no_right_and_centres_its_parent():
    pos = layout(
        _flow(
            "s",
            {"id": "s", "type": "split", "where": [], "yes": "y", "no": "n"},
            {"id": "y", "type": "email", "next": None},
            {"id": "n", "type": "email", "next": None},
        )
    )
    assert pos["y"]["x"] < pos["n"]["x"]
    assert pos["n"]["x"] - pos["y"]["x"] == COL
    assert pos["s"]["x"] == (pos["y"]["x"] + pos["n"]["x"]) / 2 == pos[TRIGGER]["x"]
    assert pos["y"]["y"] == pos["n"]["y"] == 2 * ROW


def test_an_ended_branch_keeps_its_side():
    pos = layout(
        _flow(
            "s",
            {"id": "s", "type": "split", "where": [], "yes": None, "no": "n"},
            {"id": "n", "type": "email", "next": None},
        )
    )
    assert pos["n"]["x"] > pos["s"]["x"]


def test_a_merge_sits_below_its_deepest_parent():
    pos = layout(
        _flow(
            "s",
            {"id": "s", "type": "ab_split", "percent": 50, "a": "long", "b": "m"},
            {"id": "long", "type": "delay", "next": "longer"},
            {"id": "longer", "type": "email", "next": "m"},
            {"id": "m", "type": "webhook", "next": None},
        )
    )
    assert pos["m"]["y"] == pos["longer"]["y"] + ROW
    assert not _overlaps(pos)


def test_unreachable_steps_and_cycles_are_placed_without_overlap():
    pos = layout(
        _flow(
            "a",
            {"id": "a", "type": "email", "next": "b"},
            {"id": "b", "type": "delay", "next": "a"},  # a cycle in a draft
            {"id": "loose", "type": "webhook", "next": None},
            {"id": "loose2", "type": "update_profile", "next": "loose"},
        )
    )
    assert set(pos) == {TRIGGER, "a", "b", "loose", "loose2"}
    assert not _overlaps(pos)
    assert pos["loose"]["x"] > pos["a"]["x"]


def test_no_start_and_no_nodes():
    assert layout(_flow(None)) == {TRIGGER: {"x": 0.0, "y": 0.0}}


def test_apply_layout_writes_ui_positions_and_keeps_other_ui_keys():
    defn = _flow(
        "a",
        {
            "id": "a",
            "type": "split",
            "where": [],
            "yes": None,
            "no": None,
            "ui": {"kind": "trigger_split", "x": 999},
        },
    )
    out = apply_layout(defn)
    assert out["nodes"][0]["ui"] == {"kind": "trigger_split", **layout(defn)["a"]}
    assert out["trigger"]["ui"] == layout(defn)[TRIGGER]
    assert "ui" not in defn["trigger"] and defn["nodes"][0]["ui"]["x"] == 999  # a copy


def test_layout_is_deterministic():
    defn = _flow(
        "s",
        {"id": "s", "type": "split", "where": [], "yes": "y", "no": None},
        {"id": "y", "type": "email", "next": None},
    )
    assert layout(defn) == layout(defn)

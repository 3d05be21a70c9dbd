"""Keyboard steps on the grid (backend/dashboards/layout.py): each op on small layouts, the
refusals at edges and sizes, the announcement, and for any layout and any op the result is
compact, inside 12 columns and free of overlaps (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from backend.dashboards import layout
from backend.dashboards.layout import COLS, OPS, CannotMove, collides, compact, step


def box(i, x, y, w, h):
    return {"i": i, "x": x, "y": y, "w": w, "h": h}


def at(result, i):
    b = next(b for b in result if b["i"] == i)
    return b["x"], b["y"], b["w"], b["h"]


def is_compact(result) -> bool:
    return all(
        b["y"] == 0 or any(collides({**b, "y": b["y"] - 1}, o) for o in result) for b in result
    )


# Two cards side by side over a full-width one:  A A B B
#                                               C C C C
ROW = [box("a", 0, 0, 6, 2), box("b", 6, 0, 6, 2), box("c", 0, 2, 12, 1)]


def test_left_and_right_step_one_column_and_push_what_is_in_the_way_down():
    with pytest.raises(CannotMove, match="right edge"):
        step(ROW, "b", "right")
    with pytest.raises(CannotMove, match="left edge"):
        step(ROW, "a", "left")
    after = step(ROW, "b", "left")  # b now overlaps a's last column: a goes below it
    assert at(after, "b") == (5, 0, 6, 2)
    assert at(after, "a") == (0, 2, 6, 2) and at(after, "c") == (0, 4, 12, 1)
    lone = [box("a", 0, 0, 3, 1)]
    assert at(step(lone, "a", "right"), "a") == (1, 0, 3, 1)


def test_up_and_down_swap_with_the_card_above_or_below():
    after = step(ROW, "c", "up")
    assert at(after, "c") == (0, 0, 12, 1)
    assert at(after, "a") == (0, 1, 6, 2) and at(after, "b") == (6, 1, 6, 2)
    back = step(after, "c", "down")
    assert at(back, "c") == (0, 2, 12, 1) and at(back, "a") == (0, 0, 6, 2)
    with pytest.raises(CannotMove, match="top"):
        step(ROW, "a", "up")
    with pytest.raises(CannotMove, match="bottom"):
        step(ROW, "c", "down")
    # down only where a card below shares a column: b's column is empty below it
    tall = [box("a", 0, 0, 6, 3), box("b", 6, 0, 6, 1)]
    with pytest.raises(CannotMove):
        step(tall, "b", "down")


def test_resizing_keeps_the_card_on_the_grid_and_pushes_others_down():
    after = step(ROW, "a", "wider")
    assert at(after, "a") == (0, 0, 7, 2) and at(after, "b") == (6, 2, 6, 2)
    assert at(step(ROW, "b", "wider"), "b") == (5, 0, 7, 2)  # at the right edge: grows left
    full = [box("a", 0, 0, 12, 1)]
    with pytest.raises(CannotMove, match="full width"):
        step(full, "a", "wider")
    assert at(step(ROW, "a", "narrower"), "a") == (0, 0, 5, 2)
    with pytest.raises(CannotMove, match="narrowest"):
        step([box("a", 0, 0, 2, 1)], "a", "narrower")
    taller = step(ROW, "a", "taller")
    assert at(taller, "a") == (0, 0, 6, 3) and at(taller, "c") == (0, 3, 12, 1)
    shorter = step(ROW, "a", "shorter")  # c cannot rise: b still reaches row 2
    assert at(shorter, "a") == (0, 0, 6, 1) and at(shorter, "c") == (0, 2, 12, 1)
    with pytest.raises(CannotMove, match="one row"):
        step(ROW, "c", "shorter")


def test_cards_as_stored_and_unknown_ones():
    cards = [{"id": "a", "title": "Orders", "x": 0, "y": 3, "w": 4, "h": 1}]
    assert step(cards, "a", "right") == [box("a", 1, 0, 4, 1)]  # floats up as the grid does
    with pytest.raises(KeyError):
        step(cards, "zz", "left")
    with pytest.raises(ValueError, match="unknown step"):
        step(cards, "a", "sideways")


def test_compact_floats_up_and_puts_overlaps_below():
    assert compact([box("a", 0, 4, 3, 1), box("b", 0, 9, 3, 1)]) == [
        box("a", 0, 0, 3, 1),
        box("b", 0, 1, 3, 1),
    ]
    assert compact([box("a", 0, 0, 6, 2), box("b", 3, 1, 6, 1)]) == [
        box("a", 0, 0, 6, 2),
        box("b", 3, 2, 6, 1),
    ]


def test_describe_says_where_the_card_went_and_who_made_room():
    titles = {"a": "Orders", "b": "Revenue", "c": "Sessions"}
    after = step(ROW, "b", "left")
    assert layout.describe(ROW, after, "b", titles, "left") == (
        "Revenue moved to column 6, row 1. Also moved: Orders, Sessions."
    )
    after = step(ROW, "a", "narrower")
    assert layout.describe(ROW, after, "a", titles, "narrower") == (
        "Orders resized to 5 columns by 2 rows, at column 1, row 1."
    )


@st.composite
def layouts(draw):
    n = draw(st.integers(1, 8))
    items = []
    for k in range(n):
        w = draw(st.integers(layout.MIN_W, COLS))
        items.append(
            box(
                f"c{k}",
                draw(st.integers(0, COLS - w)),
                draw(st.integers(0, 10)),
                w,
                draw(st.integers(1, 4)),
            )
        )
    return compact(items)


@settings(max_examples=300, deadline=None)
@given(layouts(), st.data())
def test_any_step_leaves_a_compact_layout_without_overlaps(before, data):
    target = data.draw(st.sampled_from([b["i"] for b in before]))
    op = data.draw(st.sampled_from(OPS))
    try:
        after = step(before, target, op)
    except CannotMove:
        assume(False)  # a refused move is not a case of this property (hypothesis counts it)
    assert [b["i"] for b in after] == [b["i"] for b in before]
    assert all(0 <= b["x"] and b["x"] + b["w"] <= COLS and b["y"] >= 0 for b in after)
    assert not any(collides(a, b) for a in after for b in after)
    assert is_compact(after)
    assert compact(after) == after  # the grid would draw it as it is
    sizes = {b["i"]: (b["w"], b["h"]) for b in before}
    assert all((b["w"], b["h"]) == sizes[b["i"]] for b in after if b["i"] != target)
    me, was = (
        dict(zip("xywh", at(after, target), strict=True)),
        dict(zip("xywh", at(before, target), strict=True)),
    )
    if op in ("left", "right"):
        assert me["x"] == was["x"] + (1 if op == "right" else -1)
    if op == "up":
        assert me["y"] < was["y"]
    if op in ("wider", "narrower"):
        assert me["w"] == was["w"] + (1 if op == "wider" else -1)
    if op in ("taller", "shorter"):
        assert me["h"] == was["h"] + (1 if op == "taller" else -1)

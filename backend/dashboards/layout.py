"""Moving and resizing a card one step at a time (the keyboard's way; the mouse drags).

A layout is [{"i": card id, "x", "y", "w", "h"}] on a grid of schema.COLS columns, kept
compact the way the console's grid (react-grid-layout, compactType "vertical") keeps it:
no two cards overlap and every card floats up as far as it can. `step()` applies one
change and gives back such a layout, the same one the grid would settle on, so saving it
with service.save_layout() and drawing it agree.

    step(cards, "orders", "right") -> [{"i": "orders", "x": 4, "y": 0, "w": 3, "h": 1}, ...]
"""

from __future__ import annotations

from backend.dashboards.schema import COLS

MIN_W = 2  # the grid's minW (components/dashboard/grid.py)
MIN_H = 1
MAX_H = 12  # schema.card()'s bound
MOVES = ("left", "right", "up", "down")
SIZES = ("wider", "narrower", "taller", "shorter")
OPS = MOVES + SIZES


class CannotMove(ValueError):
    """The step would leave the grid or the size bounds; the message says why."""


def _box(c: dict) -> dict:
    return {"i": c.get("i", c.get("id")), **{k: int(c[k]) for k in ("x", "y", "w", "h")}}


def collides(a: dict, b: dict) -> bool:
    return (
        a["i"] != b["i"]
        and a["x"] < b["x"] + b["w"]
        and b["x"] < a["x"] + a["w"]
        and a["y"] < b["y"] + b["h"]
        and b["y"] < a["y"] + a["h"]
    )


def _first_hit(b: dict, placed: list[dict]) -> dict | None:
    return next((p for p in placed if collides(b, p)), None)


def _columns_overlap(a: dict, b: dict) -> bool:
    return a["x"] < b["x"] + b["w"] and b["x"] < a["x"] + a["w"]


def compact(layout: list[dict]) -> list[dict]:
    """Float every card up as far as it goes, in row-then-column order, as react-grid-layout's
    vertical compaction does (a card overlapping one placed before it goes below that one).
    Keeps the input order."""
    placed: list[dict] = []
    for item in sorted(layout, key=lambda b: (b["y"], b["x"])):
        b = dict(item)
        b["y"] = min(b["y"], max((p["y"] + p["h"] for p in placed), default=0))
        while b["y"] > 0 and not _first_hit(b, placed):
            b["y"] -= 1
        while hit := _first_hit(b, placed):  # overlapping input: below what it hits
            b["y"] = hit["y"] + hit["h"]
        placed.append(b)
    by_id = {b["i"]: b for b in placed}
    return [by_id[item["i"]] for item in layout]


def settle(layout: list[dict], fixed: str) -> list[dict]:
    """Keep card `fixed` where it is, push every card it (or a pushed card) now overlaps
    down below, then compact. Keeps the input order."""
    first = next(b for b in layout if b["i"] == fixed)
    placed = [dict(first)]
    for item in sorted((b for b in layout if b["i"] != fixed), key=lambda b: (b["y"], b["x"])):
        b = dict(item)
        while hit := [p for p in placed if collides(b, p)]:
            b["y"] = max(p["y"] + p["h"] for p in hit)
        placed.append(b)
    by_id = {b["i"]: b for b in placed}
    return compact([by_id[item["i"]] for item in layout])


def _neighbour(layout: list[dict], me: dict, below: bool) -> dict | None:
    """The nearest card above (or below) sharing a column with `me`."""
    if below:
        near = [b for b in layout if _columns_overlap(b, me) and b["y"] >= me["y"] + me["h"]]
        return min(near, key=lambda b: (b["y"], b["x"]), default=None)
    near = [b for b in layout if _columns_overlap(b, me) and b["y"] + b["h"] <= me["y"]]
    return max(near, key=lambda b: (b["y"] + b["h"], -b["x"]), default=None)


def _target(layout: list[dict], me: dict, op: str) -> dict:
    x, w, h = me["x"], me["w"], me["h"]
    if op == "left":
        if x == 0:
            raise CannotMove("already at the left edge")
        return {**me, "x": x - 1}
    if op == "right":
        if x + w >= COLS:
            raise CannotMove("already at the right edge")
        return {**me, "x": x + 1}
    if op == "up":  # jump above the card over it (that card goes below)
        over = _neighbour(layout, me, below=False)
        if over is None:
            raise CannotMove("already at the top")
        return {**me, "y": over["y"]}
    if op == "down":  # drop below the card under it (that card comes up)
        under = _neighbour(layout, me, below=True)
        if under is None:
            raise CannotMove("already at the bottom")
        return {**me, "y": under["y"] + under["h"]}
    if op == "wider":  # grow to the right, or to the left at the grid's right edge
        if w >= COLS:
            raise CannotMove("already full width")
        return {**me, "w": w + 1, "x": x if x + w < COLS else x - 1}
    if op == "narrower":
        if w <= MIN_W:
            raise CannotMove(f"already at the narrowest ({MIN_W} columns)")
        return {**me, "w": w - 1}
    if op == "taller":
        if h >= MAX_H:
            raise CannotMove(f"already at the tallest ({MAX_H} rows)")
        return {**me, "h": h + 1}
    if op == "shorter":
        if h <= MIN_H:
            raise CannotMove("already one row high")
        return {**me, "h": h - 1}
    raise ValueError(f"unknown step {op!r}; use one of {', '.join(OPS)}")


def step(cards: list[dict], card_id: str, op: str) -> list[dict]:
    """Cards (with "id" or "i", x, y, w, h) after moving or resizing `card_id` one step:
    a compact layout [{"i", "x", "y", "w", "h"}] in the same order, within COLS columns,
    without overlaps. CannotMove when the card is already at that edge or size; KeyError
    for an unknown card."""
    layout = compact([_box(c) for c in cards])  # start from what the grid shows
    me = next((b for b in layout if b["i"] == card_id), None)
    if me is None:
        raise KeyError(card_id)
    moved = _target(layout, me, op)
    after = settle([moved if b["i"] == card_id else b for b in layout], card_id)
    if after == layout:  # compaction undid it (e.g. nothing to step over)
        raise CannotMove(f"cannot go further {op}" if op in MOVES else f"cannot get {op}")
    return after


def describe(
    before: list[dict], after: list[dict], card_id: str, titles: dict[str, str], op: str
) -> str:
    """`before` the cards as step() got them, `after` its answer. What a screen reader hears: "Orders moved to column 4, row 2." (1-based), the size
    after a resize, and which other cards had to make room."""
    old = {b["i"]: b for b in compact([_box(c) for c in before])}
    me = next(b for b in after if b["i"] == card_id)
    where = f"column {me['x'] + 1}, row {me['y'] + 1}"
    name = titles.get(card_id, card_id)
    if op in SIZES:
        text = (
            f"{name} resized to {me['w']} columns by {me['h']} "
            f"row{'s' if me['h'] != 1 else ''}, at {where}."
        )
    else:
        text = f"{name} moved to {where}."
    others = [
        titles.get(b["i"], b["i"])
        for b in after
        if b["i"] != card_id
        and b["i"] in old
        and (old[b["i"]]["x"], old[b["i"]]["y"]) != (b["x"], b["y"])
    ]
    if others:
        text += f" Also moved: {', '.join(others)}."
    return text

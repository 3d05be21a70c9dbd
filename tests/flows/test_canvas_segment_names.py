"""The flow canvas names segments: a split on a segment and a segment trigger read with the
segment's name ("in segment “VIP buyers”"), not its id, on both stores."""

from __future__ import annotations

from flask_login import login_user

from backend.api.login import WebUser
from backend.flows.starters import blank
from backend.segments import service as segments
from components.flows.canvas import to_canvas
from components.flows.catalog import new_node

FRENCH = {"type": "property", "field": "country", "op": "eq", "value": "FR"}


def _flow(trigger_segment: int, split_segments: list[int]) -> dict:
    defn = blank()
    defn["trigger"] = {"type": "segment", "segment": trigger_segment, "ui": {"x": 0, "y": 0}}
    split = new_node("split", "who", 0, 200)
    split["where"] = [{"segment": split_segments[0], "member": True}] + [
        {"segment": sid, "member": False} for sid in split_segments[1:]
    ]
    defn["nodes"], defn["start"] = [split], "who"
    return defn


def _summaries(nodes: list[dict]) -> dict[str, str]:
    return {n["id"]: n["ariaLabel"] for n in nodes}


def test_summaries_use_the_names_given():
    nodes, _ = to_canvas(_flow(7, [7, 8]), names={7: "VIP buyers", 8: "Lapsed"})
    text = _summaries(nodes)
    assert text["trigger"] == "Trigger: Joins segment “VIP buyers”"
    assert text["who"] == "Conditional split: in segment “VIP buyers” and not in segment “Lapsed”"


def test_the_logged_in_accounts_segment_names_show(app, runtime, make_account):
    acc = make_account("Segment Names Shop", email="names@shop.test")
    other = make_account("Other Shop", email="other-names@shop.test")
    with runtime.db.session() as s:
        vip = segments.create(s, acc.id, {"name": "VIP buyers", "conditions": [[FRENCH]]}).id
        theirs = segments.create(s, other.id, {"name": "Theirs", "conditions": [[FRENCH]]}).id
    defn = _flow(vip, [vip, theirs])

    with app.test_request_context("/flows/1"):
        login_user(WebUser(1, "names@shop.test", acc.id, "Segment Names Shop"))
        text = _summaries(to_canvas(defn)[0])
    assert text["trigger"] == "Trigger: Joins segment “VIP buyers”"
    # Another account's segment (or a deleted one) is never named: its id, marked.
    assert text["who"] == (
        f"Conditional split: in segment “VIP buyers” and not in segment {theirs} (deleted?)"
    )

    # Outside a request (no account to ask) the ids show, as before.
    assert _summaries(to_canvas(defn)[0])["trigger"] == f"Trigger: Joins segment {vip}"

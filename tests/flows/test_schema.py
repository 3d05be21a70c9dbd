"""Flow graphs: invalid ones are refused naming the node; drafts may be incomplete."""

from __future__ import annotations

import pytest

from backend.flows.schema import FlowInvalid, check_structure, completeness


def flow(nodes, start="n1", **extra):
    return {
        "name": "F",
        "trigger": {"type": "metric", "metric": "Placed Order"},
        "filters": [],
        "start": start,
        "nodes": nodes,
        **extra,
    }


def problems(defn):
    with pytest.raises(FlowInvalid) as err:
        check_structure(defn)
    return [(p.node, p.message) for p in err.value.problems]


def test_a_valid_graph_passes():
    defn = flow(
        [
            {"id": "n1", "type": "delay", "minutes": 5, "next": "n2"},
            {
                "id": "n2",
                "type": "split",
                "where": [{"field": "country", "op": "eq", "value": "US"}],
                "yes": "n3",
                "no": None,
            },
            {
                "id": "n3",
                "type": "email",
                "subject": "Hi",
                "body": "Hello {{ first_name }}",
                "next": None,
            },
        ]
    )
    assert check_structure(defn) is defn
    assert completeness(defn) == []


def test_unknown_target_names_the_node():
    [(node, msg)] = problems(flow([{"id": "n1", "type": "delay", "minutes": 1, "next": "ghost"}]))
    assert node == "n1" and "ghost" in msg


def test_cycle_names_the_node():
    found = problems(
        flow(
            [
                {"id": "n1", "type": "delay", "minutes": 1, "next": "n2"},
                {"id": "n2", "type": "delay", "minutes": 1, "next": "n1"},
            ]
        )
    )
    assert any(node == "n1" and "cycle" in msg for node, msg in found)


def test_unreachable_node_is_named():
    found = problems(
        flow(
            [
                {"id": "n1", "type": "delay", "minutes": 1, "next": None},
                {"id": "orphan", "type": "webhook", "url": "http://x", "next": None},
            ]
        )
    )
    assert found == [("orphan", "unreachable from the start node")]


def test_missing_branch_target_is_named():
    found = problems(flow([{"id": "n1", "type": "split", "where": [], "yes": None}]))
    assert ("n1", "missing branch target 'no' (use null to end the path)") in found


@pytest.mark.parametrize(
    "bad, text",
    [
        ({"type": "teleport"}, "unknown node type"),
        (
            {
                "type": "split",
                "yes": None,
                "no": None,
                "where": [{"field": "x", "op": "eq", "value": 1}],
            },
            "field",
        ),
        (
            {
                "type": "split",
                "yes": None,
                "no": None,
                "where": [{"metric": "M", "op": "gte", "count": 1}],
            },
            "days",
        ),
    ],
)
def test_node_level_errors(bad, text):
    found = problems(flow([{"id": "n1", **bad}]))
    assert any(node == "n1" and text in msg for node, msg in found)


def test_flow_level_errors():
    found = problems({"name": "", "trigger": {"type": "sms"}, "nodes": [], "start": None})
    messages = " ".join(msg for _, msg in found)
    assert "name" in messages and "trigger" in messages


def test_completeness_lists_what_to_fill_in():
    defn = flow(
        [
            {"id": "n1", "type": "email", "subject": "", "body": "{{ oops", "next": "n2"},
            {"id": "n2", "type": "delay", "next": None},
        ]
    )
    found = {(p.node, p.message.split(":")[0]) for p in completeness(defn)}
    assert ("n1", "the e-mail needs a subject") in found
    assert ("n1", "body") in found  # the template does not parse
    assert ("n2", "set the delay (minutes > 0)") in found

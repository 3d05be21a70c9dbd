"""Flow definitions (docs/api.md): structure checks on save, completeness checks on activate.

Every problem names its node, so the API's 400 and the canvas can point at it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from backend.errors import Invalid
from backend.flows.placeholders import check as check_template
from backend.segments.definition import PREDICTION_OPS, PROPERTY_OPS, value_problems
from backend.store.prediction_models import PREDICTION_FIELDS

NODE_TYPES = {
    "delay": ("next",),
    "split": ("yes", "no"),
    "ab_split": ("a", "b"),
    "email": ("next",),
    "webhook": ("next",),
    "update_profile": ("next",),
    "add_to_list": ("next",),
}
FIELD_OPS = PROPERTY_OPS  # the same tests as a segment's property condition
METRIC_OPS = {"gte", "lt", "eq"}
MAX_NODES = 200
MAX_DELAY_MINUTES = 365 * 24 * 60  # a year: longer is a typo, not a plan


@dataclass(frozen=True)
class Problem:
    node: str | None  # None: the flow itself (name, trigger, filters, start)
    message: str

    def as_dict(self) -> dict:
        return {"node": self.node, "problem": self.message}

    def __str__(self) -> str:
        return f"node {self.node!r}: {self.message}" if self.node else self.message


class FlowInvalid(Invalid):
    """400 with `problems` as [{"node", "problem"}]; `.problems` keeps the Problem objects."""

    def __init__(self, problems: list[Problem]):
        super().__init__(
            "; ".join(str(p) for p in problems), problems=[p.as_dict() for p in problems]
        )
        self.problems = problems


def _one_of(value: Any, names) -> bool:
    """`value in names` for any JSON value: a list or object is not hashable."""
    return isinstance(value, str) and value in names


def condition_problems(conds: Any, where: str) -> list[str]:
    """Each problem worded with its place, like segments: `where[0].op: must be one of ...`."""
    if conds is None:
        return []
    if not isinstance(conds, list):
        return [f"{where}: must be a list of conditions"]
    out = []
    for i, c in enumerate(conds):
        at = f"{where}[{i}]"
        if not isinstance(c, dict):
            out.append(f"{at}: must be an object")
        elif "metric" in c:
            out += _metric_problems(c, at)
        elif "segment" in c:
            sid = c["segment"]
            if isinstance(sid, bool) or not isinstance(sid, int) or not 0 < sid < 2**63:
                out.append(f"{at}.segment: must be a segment id")
            if not isinstance(c.get("member", True), bool):
                out.append(f"{at}.member: must be true or false")
        else:
            out += _field_problems(c, at)
    return out


def _metric_problems(c: dict, at: str) -> list[str]:
    out = []
    if not isinstance(c["metric"], str) or not c["metric"]:
        out.append(f"{at}.metric: must be a metric name")
    if not _one_of(c.get("op"), METRIC_OPS):
        out.append(f"{at}.op: must be one of {', '.join(sorted(METRIC_OPS))}")
    for k in ("count", "days"):
        v = c.get(k)
        if isinstance(v, bool) or not isinstance(v, int) or v < 0 or (k == "days" and v < 1):
            out.append(
                f"{at}.{k}: must be a whole number" + (" of at least 1" if k == "days" else "")
            )
    return out


def _field_problems(c: dict, at: str) -> list[str]:
    field = c.get("field")
    if isinstance(field, str) and field.startswith("predictions."):
        if field[len("predictions.") :] not in PREDICTION_FIELDS:
            names = ", ".join(f"predictions.{f}" for f in PREDICTION_FIELDS)
            return [f"{at}.field: must be one of {names}"]
        return value_problems(c, PREDICTION_OPS, at)
    if not isinstance(field, str) or not (
        field == "country" or field.startswith(("traits.", "event.")) and len(field) > 6
    ):
        return [f"{at}.field: must be 'country', 'traits.NAME', 'event.NAME' or 'predictions.NAME'"]
    return value_problems(c, FIELD_OPS, at)


def check_structure(defn: Any) -> dict:
    """Raise FlowInvalid unless `defn` is a well-formed graph; return it normalised."""
    if not isinstance(defn, dict):
        raise FlowInvalid([Problem(None, "the flow must be a JSON object")])
    problems: list[Problem] = []
    name = defn.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        problems.append(Problem(None, "name must be a non-empty string of at most 200 characters"))
    trigger = defn.get("trigger")
    if not isinstance(trigger, dict) or trigger.get("type") not in ("metric", "list", "segment"):
        problems.append(
            Problem(
                None,
                "trigger must be {'type': 'metric', 'metric': ...}, {'type': 'list', 'list': ...}"
                " or {'type': 'segment', 'segment': ID}",
            )
        )
    elif trigger["type"] == "segment":  # starts on joining the segment (backend/segments/live.py)
        sid = trigger.get("segment")
        if isinstance(sid, bool) or not isinstance(sid, int) or sid < 1:
            problems.append(Problem(None, "trigger.segment must be a segment id"))
    else:
        key = trigger["type"]
        if not isinstance(trigger.get(key), str) or not trigger[key].strip():
            problems.append(Problem(None, f"trigger.{key} must name a {key}"))
        problems += [
            Problem(None, m) for m in condition_problems(trigger.get("where"), "trigger.where")
        ]
    problems += [Problem(None, m) for m in condition_problems(defn.get("filters"), "filters")]
    nodes = defn.get("nodes")
    if not isinstance(nodes, list):
        raise FlowInvalid(problems + [Problem(None, "nodes must be a list")])
    if len(nodes) > MAX_NODES:
        problems.append(Problem(None, f"a flow has at most {MAX_NODES} nodes"))
    by_id: dict[str, dict] = {}
    ids = {n["id"] for n in nodes if isinstance(n, dict) and isinstance(n.get("id"), str)}
    for i, node in enumerate(nodes):
        if not isinstance(node, dict) or not isinstance(node.get("id"), str) or not node["id"]:
            problems.append(Problem(None, f"nodes[{i}] needs a string id"))
            continue
        nid = node["id"]
        if nid in by_id:
            problems.append(Problem(nid, "duplicate node id"))
        by_id[nid] = node
        if not _one_of(node.get("type"), NODE_TYPES):
            problems.append(
                Problem(
                    nid,
                    f"unknown node type {node.get('type')!r}; use one of {', '.join(NODE_TYPES)}",
                )
            )
            continue
        for branch in NODE_TYPES[node["type"]]:
            if branch not in node:
                problems.append(
                    Problem(nid, f"missing branch target {branch!r} (use null to end the path)")
                )
                continue
            target = node[branch]
            if target is not None and (not isinstance(target, str) or target not in ids):
                problems.append(Problem(nid, f"{branch!r} points to unknown node {target!r}"))
        if node["type"] == "split":
            problems += [Problem(nid, m) for m in condition_problems(node.get("where"), "where")]
    start = defn.get("start")
    if nodes and not (isinstance(start, str) and start in by_id):
        problems.append(Problem(None, f"start must be the id of a node, not {start!r}"))
    if problems:
        raise FlowInvalid(problems)
    problems += _graph_problems(by_id, start)
    if problems:
        raise FlowInvalid(problems)
    return defn


def segments_used(defn: dict) -> set[int]:
    """The segment ids a flow reads: its trigger, and segment conditions in its trigger's
    `where`, its filters and its splits (what deleting a segment must refuse, naming it)."""
    trig = defn.get("trigger") or {}
    used = {trig.get("segment")} if trig.get("type") == "segment" else set()
    conds = [*(trig.get("where") or []), *(defn.get("filters") or [])]
    for node in defn.get("nodes") or []:
        if isinstance(node, dict) and node.get("type") == "split":
            conds += node.get("where") or []
    used |= {c.get("segment") for c in conds if isinstance(c, dict) and "segment" in c}
    return {i for i in used if isinstance(i, int) and not isinstance(i, bool)}


def successors(node: dict) -> list[str]:
    return [node[b] for b in NODE_TYPES[node["type"]] if node.get(b)]


def _graph_problems(by_id: dict[str, dict], start: str | None) -> list[Problem]:
    if start is None:
        return []
    problems: list[Problem] = []
    state: dict[str, int] = {}  # 1 visiting, 2 done

    def visit(nid: str) -> None:
        state[nid] = 1
        for nxt in successors(by_id[nid]):
            if state.get(nxt) == 1:
                problems.append(Problem(nxt, f"cycle: {nid!r} leads back to {nxt!r}"))
            elif nxt not in state:
                visit(nxt)
        state[nid] = 2

    visit(start)
    for nid in by_id:
        if nid not in state:
            problems.append(Problem(nid, "unreachable from the start node"))
    return problems


def completeness(defn: dict) -> list[Problem]:
    """What must be filled in before a flow can go live (drafts may be incomplete)."""
    problems = []
    if not defn.get("nodes"):
        problems.append(Problem(None, "the flow has no steps"))
    for node in defn.get("nodes", []):
        nid, t = node["id"], node["type"]
        if t == "delay":
            m = node.get("minutes")
            if isinstance(m, bool) or not isinstance(m, int | float) or m <= 0:
                problems.append(Problem(nid, "set the delay (minutes > 0)"))
            elif m > MAX_DELAY_MINUTES:
                problems.append(Problem(nid, "a delay can be from 1 minute to 365 days"))
        elif t == "split" and not node.get("where"):
            problems.append(Problem(nid, "add at least one condition"))
        elif t == "ab_split":
            p = node.get("percent")
            if isinstance(p, bool) or not isinstance(p, int | float) or not 0 < p < 100:
                problems.append(Problem(nid, "set the A share (percent between 0 and 100)"))
        elif t == "email":
            if not str(node.get("subject") or "").strip():
                problems.append(Problem(nid, "the e-mail needs a subject"))
            if not str(node.get("body") or "").strip():
                problems.append(Problem(nid, "the e-mail needs a body"))
            for part in ("subject", "body"):
                err = check_template(str(node.get(part) or ""))
                if err:
                    problems.append(Problem(nid, f"{part}: {err}"))
        elif t == "webhook":
            url = node.get("url")
            if not isinstance(url, str) or not url.startswith(("http://", "https://")):
                problems.append(Problem(nid, "the webhook needs an http(s) URL"))
        elif t == "update_profile" and not isinstance(node.get("traits"), dict):
            problems.append(Problem(nid, "set the traits to update"))
        elif t == "add_to_list" and not str(node.get("list") or "").strip():
            problems.append(Problem(nid, "choose the list"))
    return problems

"""Segment definitions (docs/api.md, "Segments"): an AND of OR-groups of conditions.

`check` words every problem with its place, e.g.
`conditions[1][0].metric: no metric "Placd Order"`, and raises Invalid (400) with them all.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.errors import Invalid
from backend.segments.values import parse_when
from backend.store.models import List, Metric
from backend.store.prediction_models import PREDICTION_FIELDS
from backend.store.segment_models import Segment

METRIC_OPS = ("gte", "gt", "lte", "lt", "eq")
PROPERTY_OPS = ("eq", "ne", "gt", "gte", "lt", "lte", "contains", "in", "exists", "not_exists")
PROFILE_FIELDS = ("email", "country", "created")  # besides traits.NAME
EMAIL_STATUSES = ("subscribed", "never_subscribed", "unsubscribed", "bounced", "complained")
PREDICTION_OPS = ("eq", "ne", "gt", "gte", "lt", "lte", "exists", "not_exists")
TYPES = ("metric", "property", "list", "email_status", "segment", "prediction")
MAX_GROUPS = 20
MAX_PER_GROUP = 20
MAX_WHERE = 10


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and v == v  # not NaN


def value_problems(c: dict, ops: tuple[str, ...], at: str) -> list[str]:
    op = c.get("op")
    if not isinstance(op, str) or op not in ops:
        return [f"{at}.op: must be one of {', '.join(ops)}"]
    if op in ("exists", "not_exists"):
        return []
    if "value" not in c:
        return [f"{at}.value: missing"]
    v = c["value"]
    if op == "in":
        if not isinstance(v, list) or not v or len(v) > 1000:
            return [f"{at}.value: must be a non-empty list of at most 1000 values for 'in'"]
        if any(isinstance(x, dict | list) for x in v):
            return [f"{at}.value: the list holds text, numbers or booleans"]
        return []
    if isinstance(v, dict | list) or v is None:
        return [f"{at}.value: must be text, a number or a boolean"]
    if op in ("gt", "gte", "lt", "lte") and not _is_number(v) and not isinstance(v, str):
        return [f"{at}.value: must be a number or a date"]
    return []


def _where_problems(where: Any, at: str) -> list[str]:
    if where is None:
        return []
    if not isinstance(where, list) or len(where) > MAX_WHERE:
        return [f"{at}: must be a list of at most {MAX_WHERE} property conditions"]
    out = []
    for i, w in enumerate(where):
        here = f"{at}[{i}]"
        if not isinstance(w, dict):
            out.append(f"{here}: must be an object")
            continue
        field = w.get("field")
        if not isinstance(field, str) or not field.strip() or len(field) > 200:
            out.append(f"{here}.field: must name an event property")
        out += value_problems(w, PROPERTY_OPS, here)
    return out


def _window_problems(c: dict, at: str) -> list[str]:
    given = [k for k in ("days", "since", "between") if c.get(k) is not None]
    if len(given) > 1:
        return [f"{at}: give at most one of days, since, between"]
    if "days" in given:
        d = c["days"]
        if isinstance(d, bool) or not isinstance(d, int) or not 1 <= d <= 3650:
            return [f"{at}.days: must be a whole number from 1 to 3650"]
    if "since" in given and parse_when(c["since"]) is None:
        return [f"{at}.since: must be an ISO date"]
    if "between" in given:
        b = c["between"]
        if not isinstance(b, list) or len(b) != 2 or any(parse_when(x) is None for x in b):
            return [f"{at}.between: must be two ISO dates [from, to]"]
        if parse_when(b[0]) > parse_when(b[1]):
            return [f"{at}.between: the first date is after the second"]
    return []


class _Checker:
    def __init__(self, s: Session, account_id: str, segment_id: int | None):
        self.s, self.account_id, self.segment_id = s, account_id, segment_id
        self._metrics: set[str] | None = None
        self._lists: set[str] | None = None

    def metrics(self) -> set[str]:
        if self._metrics is None:
            self._metrics = set(
                self.s.scalars(select(Metric.name).where(Metric.account_id == self.account_id))
            )
        return self._metrics

    def lists(self) -> set[str]:
        if self._lists is None:
            self._lists = set(
                self.s.scalars(select(List.name).where(List.account_id == self.account_id))
            )
        return self._lists

    def condition(self, c: Any, at: str) -> list[str]:
        if not isinstance(c, dict):
            return [f"{at}: must be an object"]
        kind = c.get("type")
        if not isinstance(kind, str) or kind not in TYPES:
            return [f"{at}.type: must be one of {', '.join(TYPES)}"]
        return getattr(self, f"_{kind}")(c, at)

    def _metric(self, c: dict, at: str) -> list[str]:
        out = []
        m = c.get("metric")
        if not isinstance(m, str) or not m:
            out.append(f"{at}.metric: must name a metric")
        elif m not in self.metrics():
            out.append(f'{at}.metric: no metric "{m}"')
        if c.get("measure", "count") not in ("count", "revenue"):
            out.append(f"{at}.measure: must be count or revenue")
        op = c.get("op")
        if not isinstance(op, str) or op not in METRIC_OPS:
            out.append(f"{at}.op: must be one of {', '.join(METRIC_OPS)}")
        v = c.get("value")
        if not _is_number(v) or v < 0 or v > 1e12:
            out.append(f"{at}.value: must be a number of at least 0")
        out += _window_problems(c, at)
        out += _where_problems(c.get("where"), f"{at}.where")
        return out

    def _property(self, c: dict, at: str) -> list[str]:
        field = c.get("field")
        ok = isinstance(field, str) and (
            field in PROFILE_FIELDS or field.startswith("traits.") and len(field) > 7
        )
        if not ok:
            return [f"{at}.field: must be email, country, created or traits.NAME"]
        out = value_problems(c, PROPERTY_OPS, at)
        if not out and field == "created" and c["op"] not in ("exists", "not_exists"):
            values = c["value"] if isinstance(c["value"], list) else [c["value"]]
            if any(parse_when(v) is None for v in values):
                out.append(f"{at}.value: must be an ISO date for created")
        return out

    def _list(self, c: dict, at: str) -> list[str]:
        out = []
        name = c.get("list")
        if not isinstance(name, str) or not name:
            out.append(f"{at}.list: must name a list")
        elif name not in self.lists():
            out.append(f'{at}.list: no list "{name}"')
        if not isinstance(c.get("member", True), bool):
            out.append(f"{at}.member: must be true or false")
        return out

    def _email_status(self, c: dict, at: str) -> list[str]:
        v = c.get("in")
        if not isinstance(v, list) or not v:
            return [f"{at}.in: must be a non-empty list of {', '.join(EMAIL_STATUSES)}"]
        bad = [x for x in v if not isinstance(x, str) or x not in EMAIL_STATUSES]
        if bad:
            return [f"{at}.in: unknown status {bad[0]!r}; use {', '.join(EMAIL_STATUSES)}"]
        return []

    def _segment(self, c: dict, at: str) -> list[str]:
        out = []
        sid = c.get("segment")
        if isinstance(sid, bool) or not isinstance(sid, int):
            out.append(f"{at}.segment: must be a segment id")
        else:
            other = self.s.get(Segment, sid) if 0 < sid < 2**63 else None
            if other is None or other.account_id != self.account_id:
                out.append(f"{at}.segment: no segment {sid}")
            elif self.segment_id is not None and self._reaches(sid, self.segment_id):
                out.append(f"{at}.segment: segment {sid} refers back to this one (a cycle)")
        if not isinstance(c.get("member", True), bool):
            out.append(f"{at}.member: must be true or false")
        return out

    def _reaches(self, start: int, target: int) -> bool:
        """Whether segment `start` depends on `target`, directly or through others."""
        seen, todo = set(), [start]
        while todo:
            sid = todo.pop()
            if sid == target:
                return True
            if sid in seen:
                continue
            seen.add(sid)
            seg = self.s.get(Segment, sid)
            if seg is not None and seg.account_id == self.account_id:
                todo += referenced_segments(seg.definition.get("conditions") or [])
        return False

    def _prediction(self, c: dict, at: str) -> list[str]:
        field = c.get("field")
        if not isinstance(field, str) or field not in PREDICTION_FIELDS:
            return [f"{at}.field: must be one of {', '.join(PREDICTION_FIELDS)}"]
        return value_problems(c, PREDICTION_OPS, at)


def referenced_segments(conditions: list) -> list[int]:
    return [
        c["segment"]
        for group in conditions
        for c in group
        if isinstance(c, dict) and c.get("type") == "segment"
    ]


def check(
    s: Session, account_id: str, body: Any, segment_id: int | None = None, named: bool = True
) -> dict:
    """The normalised {"name", "conditions"}, or Invalid naming every problem's place.
    A preview checks the conditions only (named=False)."""
    if not isinstance(body, dict):
        raise Invalid("the segment must be a JSON object")
    problems: list[str] = []
    name = body.get("name")
    if named:
        if not isinstance(name, str) or not name.strip() or len(name) > 200:
            problems.append("name: must be a non-empty text of at most 200 characters")
    conds = body.get("conditions")
    checker = _Checker(s, account_id, segment_id)
    if not isinstance(conds, list) or not conds:
        problems.append("conditions: must be a non-empty list of condition groups")
    elif len(conds) > MAX_GROUPS:
        problems.append(f"conditions: at most {MAX_GROUPS} groups")
    else:
        for i, group in enumerate(conds):
            if not isinstance(group, list) or not group:
                problems.append(f"conditions[{i}]: must be a non-empty list of conditions (OR)")
            elif len(group) > MAX_PER_GROUP:
                problems.append(f"conditions[{i}]: at most {MAX_PER_GROUP} conditions")
            else:
                for j, c in enumerate(group):
                    problems += checker.condition(c, f"conditions[{i}][{j}]")
    if problems:
        raise Invalid(problems=problems)
    out = {"conditions": conds}
    if isinstance(name, str):
        out["name"] = name.strip()
    return out

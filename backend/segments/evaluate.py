"""Evaluate a definition to the set of its members, as a 64-bit roaring bitmap of profile ids.

Each condition becomes one set (SQL picks the ids; Python only where a JSON value must be
compared), then the groups are OR-ed and AND-ed as bitmaps. `within` restricts the work to
some profiles (incremental evaluation): every query then filters by those ids.

Semantics (the reference in tests/segments/reference.py is the plain-Python statement):
- metric: the profile's events of that metric in the window whose properties meet every
  `where`; count (or summed revenue, a missing revenue counting 0) compared with value. A
  profile without such events has 0, so `eq 0` / `lt N` include it. `days: D` is
  ts >= now - D x 24 h (later timestamps included); `since: DATE` is ts >= DATE;
  `between: [A, B]` is A <= ts < B + 1 day (both dates included).
- property, prediction: backend/segments/values.compare on the profile's value (a profile
  without a prediction row has the new customer's, backend/predictions/read.new_customer).
- list, segment: current membership (member: false is its complement).
- email_status: the profile's status (null counts as never_subscribed).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta

from pyroaring import BitMap64
from sqlalchemy import BigInteger, bindparam, func, not_, or_, select, text
from sqlalchemy import column as sql_column
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from backend.predictions import read
from backend.segments import columns
from backend.segments.values import MISSING, compare, lookup, parse_when
from backend.store.models import Event, List, ListMember, Profile
from backend.store.prediction_models import ProfilePrediction
from backend.store.segment_models import SegmentMember

CHUNK = 5000  # ids per IN (...) list: under SQLite's and PostgreSQL's parameter limits
NARROW = 100_000  # candidates few enough to look the remaining conditions up by id

_SQL_OPS = {
    "gte": lambda x, v: x >= v,
    "gt": lambda x, v: x > v,
    "lte": lambda x, v: x <= v,
    "lt": lambda x, v: x < v,
    "eq": lambda x, v: x == v,
}


def window(c: dict, now: datetime) -> tuple[datetime | None, datetime | None]:
    """[lo, hi) of a metric condition's event times; None for an open end."""
    if c.get("days") is not None:
        return now - timedelta(days=int(c["days"])), None
    if c.get("since") is not None:
        return parse_when(c["since"]), None
    if c.get("between") is not None:
        a, b = (parse_when(x) for x in c["between"])
        return a, datetime(b.year, b.month, b.day) + timedelta(days=1)
    return None, None


def in_ids(s: Session, column, ids) -> tuple:
    """`column IN ids` as one statement with one parameter, whatever the number of ids (a
    JSON array on SQLite, an array on PostgreSQL): no IN list of thousands of bound values
    to compile, no chunks. Returns (condition, parameters)."""
    values = list(ids)
    if s.get_bind().dialect.name == "postgresql":
        return column == func.any(bindparam("within_ids", type_=ARRAY(BigInteger))), {
            "within_ids": values
        }
    picked = text("SELECT value FROM json_each(:within_ids)").columns(
        sql_column("value", BigInteger)
    )
    return column.in_(picked), {"within_ids": json.dumps(values)}


def _chunks(ids: Iterable[int]) -> Iterator[list[int]]:
    buf: list[int] = []
    for i in ids:
        buf.append(i)
        if len(buf) == CHUNK:
            yield buf
            buf = []
    if buf:
        yield buf


class Not:
    """Everyone (in the account, or in `within`) except these: a complement kept symbolic,
    so a segment never lists every profile unless its answer really is "all but a few"."""

    __slots__ = ("ids",)

    def __init__(self, ids: BitMap64):
        self.ids = ids


def _or(a, b):
    if isinstance(a, Not) and isinstance(b, Not):
        return Not(a.ids & b.ids)
    if isinstance(a, Not):
        return Not(a.ids - b)
    if isinstance(b, Not):
        return Not(b.ids - a)
    return a | b


def _and(a, b):
    if isinstance(a, Not) and isinstance(b, Not):
        return Not(a.ids | b.ids)
    if isinstance(a, Not):
        return b - a.ids
    if isinstance(b, Not):
        return a - b.ids
    return a & b


class Evaluator:
    """One evaluation: an account, a moment, and optionally the profiles to look at."""

    def __init__(self, s: Session, account_id: str, now: datetime, within=None):
        self.s, self.account_id, self.now = s, account_id, now
        self.within = None if within is None else BitMap64(within)
        self._universe: BitMap64 | None = None

    # -- the profiles looked at -------------------------------------------------------------
    def _ids(self, stmt, column) -> BitMap64:
        """Run a SELECT of ids, restricted to `within` when there is one."""
        conn = self.s.connection()  # Core rows: no ORM work per id
        if self.within is None:
            return BitMap64(conn.execute(stmt).scalars().all())
        cond, params = in_ids(self.s, column, self.within)
        return BitMap64(conn.execute(stmt.where(cond), params).scalars().all())

    def _rows(self, stmt, column):
        if self.within is None:
            yield from self.s.execute(stmt)
            return
        cond, params = in_ids(self.s, column, self.within)
        yield from self.s.execute(stmt.where(cond), params)

    def universe(self) -> BitMap64:
        if self._universe is None:
            self._universe = self._ids(
                select(Profile.id).where(Profile.account_id == self.account_id), Profile.id
            )
        return self._universe

    # -- the whole definition ---------------------------------------------------------------
    def members(self, conditions: list) -> BitMap64:
        result = Not(BitMap64())  # everyone, until a group says otherwise
        groups = sorted(conditions, key=_cost)  # AND commutes: the cached ones first
        for i, group in enumerate(groups):
            if self.within is None and not isinstance(result, Not) and 0 < len(result) <= NARROW:
                # Few candidates left: the other groups look at them only (a few IN lists
                # by primary key instead of scanning the account).
                narrow = Evaluator(self.s, self.account_id, self.now, within=result)
                return narrow.members(groups[i:])
            matched = BitMap64()
            for c in group:
                matched = _or(matched, self.condition(c))
            result = _and(result, matched)
            if not isinstance(result, Not) and not result:
                break
        return self.resolve(result)

    def resolve(self, found) -> BitMap64:
        """The ids of a condition's or a definition's answer. Positive answers come from
        queries scoped to the account (and to `within`); only a complement needs everyone."""
        if isinstance(found, Not):
            return self.universe() - found.ids
        return found & self.within if self.within is not None else found

    def condition(self, c: dict):
        """A BitMap64 of those who meet `c`, or Not(those who do not)."""
        return getattr(self, f"_{c['type']}")(c)

    # -- one condition ----------------------------------------------------------------------
    def _metric(self, c: dict):
        lo, hi = window(c, self.now)
        filters = [
            Event.account_id == self.account_id,
            Event.metric == c["metric"],
            Event.profile_id.is_not(None),
        ]
        if lo is not None:
            filters.append(Event.ts >= lo)
        if hi is not None:
            filters.append(Event.ts < hi)
        op, value = c["op"], c["value"]
        revenue = c.get("measure", "count") == "revenue"
        zero_meets = _SQL_OPS[op](0, value)
        if c.get("where"):
            return self._metric_where(c, filters, revenue, zero_meets)
        if columns.enabled:
            view = columns.cache_for(self.s.get_bind()).view(self.account_id, c["metric"])
            if view is not None:  # None: over the cache's cap, SQL below
                return self._metric_cached(view, lo, hi, op, value, revenue, zero_meets)
        agg = func.sum(func.coalesce(Event.revenue, 0.0)) if revenue else func.count()
        having = _SQL_OPS[op](agg, value)
        stmt = select(Event.profile_id).where(*filters).group_by(Event.profile_id)
        if not zero_meets:
            return self._ids(stmt.having(having), Event.profile_id)
        # Those without events meet it too: everyone but those whose events fail it.
        return Not(self._ids(stmt.having(not_(having)), Event.profile_id))

    def _metric_cached(self, view, lo, hi, op, value, revenue: bool, zero_meets: bool):
        """The same answer from the column cache: a mask over the window, then a count or a
        sum per profile (backend/segments/columns.py)."""
        ids, totals = columns.aggregate(
            view,
            None if lo is None else columns.to_us(lo),
            None if hi is None else columns.to_us(hi),
            revenue,
        )
        meets = _SQL_OPS[op](totals, float(value))
        if not zero_meets:
            return BitMap64(ids[meets])
        return Not(BitMap64(ids[~meets]))

    def _metric_where(self, c, filters, revenue: bool, zero_meets: bool):
        totals: dict[int, float] = {}
        stmt = select(Event.profile_id, Event.revenue, Event.properties).where(*filters)
        for pid, rev, props in self._rows(stmt, Event.profile_id):
            if all(
                compare(w["op"], lookup(props or {}, w["field"]), w.get("value"))
                for w in c["where"]
            ):
                totals[pid] = totals.get(pid, 0.0) + ((rev or 0.0) if revenue else 1)
        test = _SQL_OPS[c["op"]]
        out = BitMap64(p for p, t in totals.items() if test(t, c["value"]))
        if zero_meets:  # and everyone without such events
            return Not(BitMap64(totals) - out)
        return out

    def _property(self, c: dict) -> BitMap64:
        field, op, value = c["field"], c["op"], c.get("value")
        base = select(Profile.id).where(Profile.account_id == self.account_id)
        if field == "country" and op in ("eq", "in", "ne") and _all_text(value):
            # Countries are stored as upper-case ISO codes: SQL compares them directly.
            wanted = [str(v).upper() for v in (value if op == "in" else [value])]
            cond = Profile.country.in_(wanted)
            if op == "ne":
                cond = or_(Profile.country.is_(None), not_(cond))
            return self._ids(base.where(cond), Profile.id)
        column = {
            "email": Profile.email,
            "country": Profile.country,
            "created": Profile.first_seen,
        }.get(field, Profile.traits)
        stmt = select(Profile.id, column).where(Profile.account_id == self.account_id)
        out = BitMap64()
        for pid, v in self._rows(stmt, Profile.id):
            actual = lookup(v or {}, field[len("traits.") :]) if column is Profile.traits else v
            if compare(op, MISSING if actual is None else actual, value):
                out.add(pid)
        return out

    def _list(self, c: dict):
        stmt = (
            select(ListMember.profile_id)
            .join(List, List.id == ListMember.list_id)
            .where(List.account_id == self.account_id, List.name == c["list"])
        )
        ids = self._ids(stmt, ListMember.profile_id)
        return ids if c.get("member", True) else Not(ids)

    def _segment(self, c: dict):
        stmt = select(SegmentMember.profile_id).where(SegmentMember.segment_id == c["segment"])
        ids = self._ids(stmt, SegmentMember.profile_id)
        return ids if c.get("member", True) else Not(ids)

    def _email_status(self, c: dict):
        column = getattr(Profile, "email_status", None)
        wanted = list(c["in"])
        if column is None:  # before e-mail status exists, everyone is never_subscribed
            return Not(BitMap64()) if "never_subscribed" in wanted else BitMap64()
        cond = column.in_(wanted)
        if "never_subscribed" in wanted:
            cond = or_(cond, column.is_(None))
        stmt = select(Profile.id).where(Profile.account_id == self.account_id, cond)
        return self._ids(stmt, Profile.id)

    def _prediction(self, c: dict):
        column = getattr(ProfilePrediction, c["field"])
        stmt = select(ProfilePrediction.profile_id, column).where(
            ProfilePrediction.account_id == self.account_id
        )
        have: dict[int, object] = dict(self._rows(stmt, ProfilePrediction.profile_id))
        out = BitMap64(
            p
            for p, v in have.items()
            if compare(c["op"], MISSING if v is None else v, c.get("value"))
        )
        # A profile without a row has the new customer's value (the profile API's), or none
        # while the gates are not met: if that value meets the condition, so do they all.
        newcomer = read.new_customer(self.s, self.account_id)
        v = None if newcomer is None else newcomer.get(c["field"])
        if compare(c["op"], MISSING if v is None else v, c.get("value")):
            return Not(BitMap64(have) - out)
        return out


def _cost(group: list) -> int:
    """0 for a group the column cache answers (metric conditions without `where`)."""
    cached = columns.enabled and all(
        c.get("type") == "metric" and not c.get("where") for c in group
    )
    return 0 if cached else 1


def _all_text(value) -> bool:
    values = value if isinstance(value, list) else [value]
    return all(isinstance(v, str) and v.strip() and not _numeric(v) for v in values)


def _numeric(v: str) -> bool:
    try:
        float(v)
    except ValueError:
        return False
    return True


def members(s: Session, account_id: str, conditions: list, now: datetime, within=None) -> BitMap64:
    return Evaluator(s, account_id, now, within).members(conditions)

"""A record's counting summary: its messages summed by what is counted, written into the spool
record by the request worker that accepted it (SQLite stores: backend/ingest/counting.py).

Why: counting a message meant parsing its body again, locating its address and summing it,
~5 us of the counting process's one core; the request workers had all of it in hand while
validating, and there are several of them. With the summary, the counting process reads the
record's ids, drops those already counted or stored, and adds a few dozen sums a record.

A summary holds:
- "d": the account's dimensions it was summed by (counting checks they are still the ones);
- "i": each message's id, in order (the dedup check);
- "g": [metric, epoch hour, country, [dimension values], count, revenue] per group of
  messages alike.

Messages are grouped here exactly as the counting stage groups them (add_alike), and a group
is counted as count_into counts one message, n times.
"""

from __future__ import annotations

from math import isfinite

from backend.ingest.fold import MAX_DIMENSION_VALUE, count_into, revenue_of
from backend.ingest.geo import country_of

Groups = dict[tuple, list]  # (metric, epoch hour, country, dimension values) -> [n, revenue]


def add_alike(groups: Groups, dims: list[str], msgs: list[dict]) -> None:
    """Sum messages ({"e", "ts", "ip", "p"}, as the spool form has them) into `groups`, by
    what is counted of them (metric, hour, country, dimension values)."""
    for m in msgs:
        add_one(groups, dims, m["e"], m["ts"], m["ip"], m["p"])


def add_one(
    groups: Groups, dims: list[str], metric: str, ms: int, ip: str | None, props: dict
) -> None:
    if props:
        rev = props.get("revenue")
        # A number, the usual, as revenue_of reads it (a bool is neither int nor float here).
        rev = (
            (float(rev) or 0.0)
            if rev.__class__ is float or rev.__class__ is int
            else (revenue_of(props) or 0.0)
        )
        # Each dimension as count_into would count it (a string, or None: not counted), so
        # 1, 1.0 and True stay apart as they do there. Short strings, the usual, as is.
        values = tuple(
            [
                v
                if v is None or (v.__class__ is str and 0 < len(v) <= _MAX)
                else _dimension_value(v)
                for v in map(props.get, dims)
            ]
        )
    else:
        rev, values = 0.0, (None,) * len(dims)
    key = (metric, ms // 3_600_000, country_of(ip), values)
    slot = groups.get(key)
    if slot is None:
        groups[key] = [1, rev]
    else:
        slot[0] += 1
        slot[1] += rev


class Summary:
    """A record's summary as a request worker builds it, message by message."""

    def __init__(self, dims: list[str]):
        self.dims = dims
        self.ids: list[str] = []
        self.groups: Groups = {}

    def add(self, message_id: str, metric: str, ms: int, ip: str | None, props: dict) -> None:
        self.ids.append(message_id)
        add_one(self.groups, self.dims, metric, ms, ip, props)

    def clear(self) -> None:
        self.ids.clear()
        self.groups.clear()

    def to_json(self) -> dict | None:
        """What the spool record keeps ("c" in its header); None if a revenue sum is not a
        finite number (JSON has none: counting then reads the messages themselves)."""
        if not all(isfinite(rev) for _n, rev in self.groups.values()):
            return None
        return {
            "d": self.dims,
            "i": self.ids,
            "g": [
                [metric, hour, country, values, n, rev]
                for (metric, hour, country, values), (n, rev) in self.groups.items()
            ],
        }


def count_groups(
    deltas: dict, hours: dict, account_id: str, dims: list[str], groups: Groups
) -> None:
    """Add summed groups to a pass's counter deltas (count_into's form)."""
    for (metric, hour, country, values), (n, rev) in groups.items():
        count_into(
            deltas,
            hours,
            account_id,
            dims,
            metric,
            hour * 3_600_000,
            country,
            dict(zip(dims, values, strict=True)),
            rev,
            n,
        )


def summarise(dims: list[str], msgs: list[dict]) -> dict | None:
    """The summary of spool-form messages, as a request worker would have built it."""
    summary = Summary(dims)
    for m in msgs:
        summary.add(m["id"], m["e"], m["ts"], m["ip"], m["p"])
    return summary.to_json()


def merge(groups: Groups, summary: dict) -> None:
    """Add a record's summed groups to `groups` (the pass's)."""
    for metric, hour, country, values, n, rev in summary["g"]:
        key = (metric, hour, country, tuple(values))
        slot = groups.get(key)
        if slot is None:
            groups[key] = [n, rev]
        else:
            slot[0] += n
            slot[1] += rev


_MAX = MAX_DIMENSION_VALUE


def _dimension_value(v) -> str | None:
    if v is None or v == "" or isinstance(v, dict | list):
        return None
    return str(v)[:MAX_DIMENSION_VALUE]

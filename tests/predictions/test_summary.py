"""summarise (vectorised) against a plain loop over the same orders, on any orders."""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.predictions.data import Orders, summarise

order = st.tuples(
    st.integers(1, 6),  # profile
    st.floats(0, 60, allow_nan=False),  # day
    st.one_of(st.floats(-50, 500, allow_nan=False), st.just(math.nan)),  # revenue
)


def reference(orders: list[tuple[int, float, float]]) -> dict:
    by = defaultdict(list)
    for pid, day, rev in orders:
        by[pid].append((day, rev))
    out = {}
    for pid, rows in by.items():
        days = defaultdict(float)  # occasion (integer day) -> valid spend
        valid_days = set()
        for day, rev in rows:
            d = math.floor(day)
            days[d] += rev if math.isfinite(rev) and rev >= 0 else 0.0
            if math.isfinite(rev) and rev >= 0:
                valid_days.add(d)
        first = min(days)
        repeats = [v for d, v in days.items() if d != first and d in valid_days and v > 0]
        out[pid] = {
            "orders": len(rows),
            "x": len(days) - 1,
            "first": first,
            "last": max(days),
            "spend": sum(days.values()),
            "repeat_x": len(repeats),
            "repeat_mean": sum(repeats) / len(repeats) if repeats else None,
        }
    return out


@settings(max_examples=150, deadline=None)
@given(st.lists(order, max_size=40))
def test_summary_matches_a_plain_loop(orders):
    got = summarise(
        Orders(
            np.array([o[0] for o in orders], dtype=np.int64),
            np.array([o[1] for o in orders], dtype=float),
            np.array([o[2] for o in orders], dtype=float),
        )
    )
    want = reference(orders)
    assert list(got.profile_id) == sorted(want)
    for i, pid in enumerate(got.profile_id):
        w = want[int(pid)]
        assert got.orders[i] == w["orders"]
        assert got.x[i] == w["x"]
        assert got.first[i] == w["first"] and got.last[i] == w["last"]
        assert math.isclose(got.spend[i], w["spend"], rel_tol=1e-9, abs_tol=1e-9)
        assert got.repeat_x[i] == w["repeat_x"]
        if w["repeat_mean"] is None:
            assert math.isnan(got.repeat_mean[i])
        else:
            assert math.isclose(got.repeat_mean[i], w["repeat_mean"], rel_tol=1e-9)
    revs = [o[2] for o in orders]
    assert got.negative_revenue == sum(1 for r in revs if math.isfinite(r) and r < 0)
    assert got.missing_revenue == sum(1 for r in revs if not math.isfinite(r))

"""The engine keeps complements symbolic (Not(x): everyone but x) while it ORs and ANDs
conditions; the algebra must agree with plain sets over a known universe."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from pyroaring import BitMap64

from backend.segments.evaluate import Not, _and, _or

UNIVERSE = set(range(12))
term = st.tuples(st.sets(st.integers(0, 11)), st.booleans())  # (ids, negated)


def _plain(ids: set, negated: bool) -> set:
    return UNIVERSE - ids if negated else ids


def _engine(ids: set, negated: bool):
    return Not(BitMap64(ids)) if negated else BitMap64(ids)


def _resolve(found) -> set:
    return UNIVERSE - set(found.ids) if isinstance(found, Not) else set(found)


@given(st.lists(st.lists(term, min_size=1, max_size=4), min_size=1, max_size=4))
def test_and_of_ors_with_complements_equals_plain_sets(groups):
    expected = set(UNIVERSE)
    found = Not(BitMap64())
    for group in groups:
        matched_plain, matched = set(), BitMap64()
        for ids, negated in group:
            matched_plain |= _plain(ids, negated)
            matched = _or(matched, _engine(ids, negated))
        expected &= matched_plain
        found = _and(found, matched)
    assert _resolve(found) == expected

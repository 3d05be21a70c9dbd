"""The log-bucketed histogram: percentiles within its 1% bucket width, merges exactly."""

from __future__ import annotations

import math
import random

import pytest

from backend.loadtest.histogram import Histogram


def exact(values, q):
    values = sorted(values)
    return values[max(0, math.ceil(len(values) * q / 100) - 1)]


def test_percentiles_are_within_one_percent_and_never_optimistic():
    rng = random.Random(3)
    values = [rng.lognormvariate(9, 1.2) for _ in range(20_000)]  # microseconds
    h = Histogram()
    for v in values:
        h.record(v)
    for q in (50, 95, 99, 99.9):
        want = int(exact(values, q)) / 1000
        got = h.percentile(q)
        assert want <= got <= want * 1.011 + 0.001, (q, want, got)
    assert h.percentile(100) == pytest.approx(int(max(values)) / 1000)


def test_merged_windows_equal_the_whole():
    rng = random.Random(4)
    values = [rng.expovariate(1 / 5000) for _ in range(5000)]
    whole, a, b = Histogram(), Histogram(), Histogram()
    for i, v in enumerate(values):
        whole.record(v)
        (a if i % 2 else b).record(v)
    merged = Histogram.from_json(a.to_json()).merge(b)
    assert merged.summary() == whole.summary()


def test_an_empty_histogram_answers_zero():
    assert Histogram().summary()["p99"] == 0.0

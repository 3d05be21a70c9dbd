"""The ledger comparison: exact, except events in doubt (sent, never answered)."""

from __future__ import annotations

from backend.loadtest.ledger import compare, uncounted


def test_exact_counts_match():
    before = {"Placed Order": (5, 1000)}
    after = {"Placed Order": (8, 1600)}
    assert compare({"Placed Order": [3, 600]}, before, after) == []


def test_one_event_more_or_less_is_named():
    lines = compare({"Placed Order": [3, 600]}, {}, {"Placed Order": (4, 600)})
    assert lines == [
        "Placed Order: acknowledged 3 events (6.00 revenue), counted 4 (6.00): "
        "+1 events, +0.00 revenue"
    ]
    assert compare({"Viewed Page": [3, 0]}, {}, {"Viewed Page": (2, 0)})[0].startswith(
        "Viewed Page: acknowledged 3 events"
    )


def test_a_counted_metric_the_run_never_acknowledged_is_a_difference():
    assert compare({}, {}, {"Viewed Page": (1, 0)}) != []


def test_events_in_doubt_may_be_counted_or_not_but_no_more():
    doubt = {"Opened Email": [2, 0]}
    for counted in (10, 11, 12):
        assert compare({"Opened Email": [10, 0]}, {}, {"Opened Email": (counted, 0)}, doubt) == []
    assert compare({"Opened Email": [10, 0]}, {}, {"Opened Email": (13, 0)}, doubt)
    assert compare({"Opened Email": [10, 0]}, {}, {"Opened Email": (9, 0)}, doubt)


def test_the_backlog_is_read_from_the_spool_or_kafka():
    assert uncounted({"ok": True, "spool": {"bytes": 12}}) == 12
    assert uncounted({"ok": True, "queue": {"counting": {"lag": 3}, "storing": {"lag": 9}}}) == 3
    assert uncounted({"ok": True, "queue": {"error": "cannot reach Kafka"}}) == 1


def test_a_ramp_step_judges_a_percentile_only_on_enough_samples():
    from backend.loadtest.histogram import Histogram
    from backend.loadtest.slo import breaches

    slo = {"error_rate": 0.01, "latency": {"ingest": {"p95": 100.0}}}
    slow_tail = Histogram()
    for v in [10_000] * 38 + [900_000]:  # 39 answers, one slow: p95 is that one
        slow_tail.record(v)
    assert breaches({"ingest": (39, 0, slow_tail)}, slo) == []
    for v in [900_000] * 3:  # 42 answers, four slow: now it is a pattern
        slow_tail.record(v)
    assert breaches({"ingest": (42, 0, slow_tail)}, slo) == [
        "ingest p95: 900.0 ms (limit 100.0) BROKE"
    ]

"""Counting ahead of storing (SQLite): counts first, stores after, each message once in both."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from backend.counters import counter_store
from backend.ingest import ingestor
from backend.ingest.counting import CountingStage
from backend.store.models import Event

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def orders(ids):
    return [
        {
            "type": "track",
            "userId": f"u{i % 5}",
            "event": "Placed Order",
            "messageId": f"m{i}",
            "properties": {"revenue": 2},
        }
        for i in ids
    ]


def stored(runtime) -> int:
    with runtime.db.session() as s:
        return s.scalar(select(func.count()).select_from(Event))


def counted(totals, account) -> int:
    return totals(account.id, "Placed Order").get("", (0, 0.0))[0]


def restarted(runtime) -> CountingStage:
    """A counting stage as a new process has it: nothing in memory."""
    return CountingStage(runtime.db, counter_store(runtime), runtime.settings.spool_dir)


def test_counts_before_it_is_stored_and_storing_counts_nothing_more(runtime, account, totals):
    ing = ingestor(runtime)
    ing.accept(account.id, orders(range(30)))
    assert ing.counting.run_pass() == 30
    assert totals(account.id, "Placed Order") == {"": (30, 60.0)}
    assert stored(runtime) == 0
    assert ing.drain() == 30
    assert stored(runtime) == 30
    assert totals(account.id, "Placed Order") == {"": (30, 60.0)}


def test_a_retry_of_a_message_counted_but_not_stored_is_not_counted_again(
    runtime, account, totals
):
    ing = ingestor(runtime)
    ing.accept(account.id, orders(range(10)))
    ing.counting.run_pass()
    ing.accept(account.id, orders(range(15)))  # the SDK retried, then sent five more
    ing.counting.run_pass()
    assert counted(totals, account) == 15
    ing.drain()
    assert (stored(runtime), counted(totals, account)) == (15, 15)


def test_after_a_restart_the_pending_messages_are_read_again_from_the_spool(
    runtime, account, totals
):
    ing = ingestor(runtime)
    ing.accept(account.id, orders(range(10)))
    ing.counting.run_pass()
    ing.accept(account.id, orders(range(5, 20)))
    assert restarted(runtime).run_pass() == 15
    assert counted(totals, account) == 20
    ing.drain()
    assert (stored(runtime), counted(totals, account)) == (20, 20)


def test_storing_goes_no_further_than_what_is_counted(runtime, account):
    ing = ingestor(runtime)
    ing.accept(account.id, orders(range(10)))
    assert ing.aggregator.run_pass() == 0  # nothing counted yet
    ing.counting.run_pass()
    ing.accept(account.id, orders(range(10, 30)))
    assert ing.aggregator.run_pass() == 10
    assert stored(runtime) == 10


def test_counting_waits_for_storing_once_far_enough_ahead(runtime, account, totals):
    ing = ingestor(runtime)
    stage = ing.counting
    stage.max_ahead = 15
    for start in (0, 10, 20):
        ing.accept(account.id, orders(range(start, start + 10)))
    assert stage.run_pass() == 20  # whole records, up to the first that reaches the bound
    assert stage.run_pass() == 0
    assert ing.aggregator.run_pass() == 20
    assert stage.run_pass() == 10
    assert counted(totals, account) == 30


def test_offsets_of_deleted_segments_are_forgotten(runtime, account, totals):
    ing = ingestor(runtime)
    ing.accept(account.id, orders(range(10)))
    ing.close()  # the writer lets go of its segment: once stored, it is deleted
    ing.drain()
    assert list(runtime.settings.spool_dir.glob("*.seg")) == []
    ing.counting.run_pass()
    assert ing.counting.state.offsets() == {}
    assert counted(totals, account) == 10


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_any_interleaving_counts_and_stores_each_message_once(runtime, account, totals, seed):
    """Sends (with retries of earlier ids), counting passes, storing passes and restarts of
    the counting process, in a random order: what is counted never falls behind what is
    stored, and both end at the distinct messageIds sent."""
    rnd = random.Random(seed)
    ing = ingestor(runtime)
    ing.counting.max_messages = ing.aggregator.max_messages = 7
    stage, sent = ing.counting, set()
    for _ in range(60):
        step = rnd.choice(["send", "send", "count", "count", "store", "restart"])
        if step == "send":
            ids = [rnd.randrange(0, 80) for _ in range(rnd.randint(1, 6))]
            ing.accept(account.id, orders(ids))
            sent.update(ids)
        elif step == "count":
            stage.run_pass()
        elif step == "store":
            ing.aggregator.run_pass()
        else:
            stage = restarted(runtime)
            stage.max_messages = 7
        assert counted(totals, account) >= stored(runtime)
    while stage.run_pass() or ing.aggregator.run_pass():
        pass
    assert (stored(runtime), counted(totals, account)) == (len(sent), len(sent))


# Few values, alike as Python sees them (1 == 1.0 == True) but counted apart (str()).
_values = st.sampled_from([None, "", 1, 1.0, True, 0, False, "1", "x" * 201, "x" * 202, [1],
                           {"a": 1}])
_messages = st.lists(st.fixed_dictionaries({
    "e": st.sampled_from(["Placed Order", "Viewed Product", "$identify"]),
    "ts": st.integers(1_700_000_000_000, 1_700_000_000_000 + 2 * 3_600_000),
    "ip": st.sampled_from([None, "81.2.69.160", "2001:4860:4860::8888", "10.0.0.1"]),
    "p": st.fixed_dictionaries({}, optional={"utm_campaign": _values, "sku": _values,
                                             "revenue": st.sampled_from([2, "1,000.5", None])}),
}), max_size=40)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # db_url: unused here
@given(msgs=_messages)
def test_counting_in_groups_counts_as_one_message_at_a_time_does(msgs, db_url):
    """The counting stage sums messages alike before counting them; the storing pass of
    PostgreSQL counts one message at a time (backend/ingest/fold.py). Same deltas."""
    from backend.ingest.counting import _count_new
    from backend.ingest.fold import count_into, revenue_of
    from backend.ingest.geo import country_of

    dims = ["utm_campaign", "sku"]
    grouped: dict = {}
    _count_new(grouped, {}, "acct", dims, msgs)
    one_by_one: dict = {}
    for m in msgs:
        rev = (revenue_of(m["p"]) if m["p"] else None) or 0.0
        count_into(one_by_one, {}, "acct", dims, m["e"], m["ts"], country_of(m["ip"]), m["p"], rev)
    assert grouped.keys() == one_by_one.keys()
    for key, (n, rev) in one_by_one.items():
        assert grouped[key][0] == n and grouped[key][1] == pytest.approx(rev)

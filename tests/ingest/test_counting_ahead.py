"""Counting ahead of storing (SQLite): counts first, stores after, each message once in both."""

from __future__ import annotations

import random

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from backend.counters import counter_store
from backend.ingest import ingestor
from backend.ingest.counting import CountingStage
from backend.store.models import Account, Event

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


@pytest.fixture(params=["summarised", "normalised"])
def send(request, runtime, account):
    """Spools orders of the given ids as one record: a /v1 body with the counting summary
    its request worker made (backend/ingest/summary.py), or normalised messages (forms,
    flows, the seeder: no summary, counting reads the messages)."""
    ing = ingestor(runtime)
    if request.param == "normalised":
        return lambda ids: ing.accept(account.id, orders(ids))
    return lambda ids: ing.accept_body(
        account.id, "batch", orjson.dumps({"batch": orders(ids)}), None
    )


def restarted(runtime) -> CountingStage:
    """A counting stage as a new process has it: nothing in memory."""
    return CountingStage(runtime.db, counter_store(runtime), runtime.settings.spool_dir)


def test_counts_before_it_is_stored_and_storing_counts_nothing_more(runtime, account, totals, send):
    ing = ingestor(runtime)
    send(range(30))
    assert ing.counting.run_pass() == 30
    assert totals(account.id, "Placed Order") == {"": (30, 60.0)}
    assert stored(runtime) == 0
    assert ing.drain() == 30
    assert stored(runtime) == 30
    assert totals(account.id, "Placed Order") == {"": (30, 60.0)}


def test_a_retry_of_a_message_counted_but_not_stored_is_not_counted_again(
    runtime, account, totals, send
):
    ing = ingestor(runtime)
    send(range(10))
    ing.counting.run_pass()
    send(range(15))  # the SDK retried, then sent five more
    ing.counting.run_pass()
    assert counted(totals, account) == 15
    ing.drain()
    assert (stored(runtime), counted(totals, account)) == (15, 15)


def test_after_a_restart_the_pending_messages_are_read_again_from_the_spool(
    runtime, account, totals, send
):
    ing = ingestor(runtime)
    send(range(10))
    ing.counting.run_pass()
    send(range(5, 20))
    assert restarted(runtime).run_pass() == 15
    assert counted(totals, account) == 20
    ing.drain()
    assert (stored(runtime), counted(totals, account)) == (20, 20)


def test_storing_goes_no_further_than_what_is_counted(runtime, account, send):
    ing = ingestor(runtime)
    send(range(10))
    assert ing.aggregator.run_pass() == 0  # nothing counted yet
    ing.counting.run_pass()
    send(range(10, 30))
    assert ing.aggregator.run_pass() == 10
    assert stored(runtime) == 10


def test_counting_waits_for_storing_once_far_enough_ahead(runtime, account, totals, send):
    ing = ingestor(runtime)
    stage = ing.counting
    stage.max_ahead = 15
    for start in (0, 10, 20):
        send(range(start, start + 10))
    assert stage.run_pass() == 20  # whole records, up to the first that reaches the bound
    assert stage.run_pass() == 0
    assert ing.aggregator.run_pass() == 20
    assert stage.run_pass() == 10
    assert counted(totals, account) == 30


def test_offsets_of_deleted_segments_are_forgotten(runtime, account, totals, send):
    ing = ingestor(runtime)
    send(range(10))
    ing.close()  # the writer lets go of its segment: once stored, it is deleted
    ing.drain()
    assert list(runtime.settings.spool_dir.glob("*.seg")) == []
    ing.counting.run_pass()
    assert ing.counting.state.offsets() == {}
    assert counted(totals, account) == 10


# -- the counting summary a request worker writes into each /v1 record (summary.py)


def body(msgs: list[dict]) -> bytes:
    return orjson.dumps({"batch": msgs})


def test_a_summarised_record_is_counted_without_parsing_its_body(
    runtime, account, totals, monkeypatch
):
    from backend.ingest import wire

    ing = ingestor(runtime)
    msgs = orders(range(6)) + [
        {
            "type": "page",
            "anonymousId": "a1",
            "name": "Home",
            "context": {"ip": "2001:4860:4860::8888"},
        }
    ]
    ing.accept_body(account.id, "batch", body(msgs), "81.2.69.160")

    def parsed(*_args):
        raise AssertionError("the body was parsed again")

    monkeypatch.setattr(wire, "counted_view", parsed)
    monkeypatch.setattr(wire, "parse", parsed)
    assert ing.counting.run_pass() == 7
    assert totals(account.id, "Placed Order") == {"": (6, 12.0)}
    assert totals(account.id, "Placed Order", "country") == {"GB": (6, 12.0)}
    assert totals(account.id, "Viewed Page", "country") == {"US": (1, 0.0)}


def test_a_summary_made_with_other_dimensions_is_not_used(runtime, account, totals):
    """A request worker reads an account's dimensions every few seconds; a record summed by
    older ones is counted from its body, by the dimensions counting finds."""
    ing = ingestor(runtime)
    msgs = [{**m, "properties": {"revenue": 2, "utm_campaign": "spring"}} for m in orders(range(4))]
    ing.accept_body(account.id, "batch", body(msgs), None)  # summed by no dimension
    with runtime.db.session() as s:
        s.get(Account, account.id).dimensions = ["utm_campaign"]
    ing.counting.run_pass()
    assert totals(account.id, "Placed Order", "utm_campaign") == {"spring": (4, 8.0)}
    assert totals(account.id, "Placed Order") == {"": (4, 8.0)}


def test_retried_and_repeated_ids_in_a_summarised_record_count_once(runtime, account, totals):
    ing = ingestor(runtime)
    ing.accept_body(account.id, "batch", body(orders([1, 2, 3])), None)
    ing.counting.run_pass()
    # a retry of 3 (counted, not stored), 4 twice in one batch, 5 new
    ing.accept_body(account.id, "batch", body(orders([3, 4, 4, 5])), None)
    ing.accept_body(account.id, "batch", body(orders([6, 1])), None)  # and a retry of 1
    ing.counting.run_pass()
    assert totals(account.id, "Placed Order") == {"": (6, 12.0)}
    ing.drain()
    assert (stored(runtime), counted(totals, account)) == (6, 6)
    ing.accept_body(account.id, "batch", body(orders([2, 7])), None)  # 2 is stored by now
    ing.drain()
    assert (stored(runtime), counted(totals, account)) == (7, 7)


def test_a_body_spooled_without_a_summary_is_counted_from_the_body(runtime, account, totals):
    """Records spooled before summaries existed (or with a revenue beyond a float's range)."""
    from datetime import UTC, datetime

    from backend.ingest import records

    ing = ingestor(runtime)
    payload = records.of_body(
        account.id, "batch", body(orders(range(5))), "81.2.69.160", datetime.now(UTC), "r1"
    )
    ing._append(payload)
    ing.accept_body(account.id, "batch", body(orders(range(3, 8))), None)
    ing.counting.run_pass()
    assert totals(account.id, "Placed Order") == {"": (8, 16.0)}
    huge = [{**m, "properties": {"revenue": 1e308}} for m in orders(range(10, 12))]
    ing.accept_body(account.id, "batch", body(huge), None)  # sums to inf: no summary
    ing.drain()
    assert counted(totals, account) == 10 and stored(runtime) == 10


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_any_interleaving_counts_and_stores_each_message_once(runtime, account, totals, seed, send):
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
            send(ids)
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
_values = st.sampled_from(
    [None, "", 1, 1.0, True, 0, False, "1", "x" * 201, "x" * 202, [1], {"a": 1}]
)
_messages = st.lists(
    st.fixed_dictionaries(
        {
            "e": st.sampled_from(["Placed Order", "Viewed Product", "$identify"]),
            "ts": st.integers(1_700_000_000_000, 1_700_000_000_000 + 2 * 3_600_000),
            "ip": st.sampled_from([None, "81.2.69.160", "2001:4860:4860::8888", "10.0.0.1"]),
            "p": st.fixed_dictionaries(
                {},
                optional={
                    "utm_campaign": _values,
                    "sku": _values,
                    "revenue": st.sampled_from([2, 2.5, 0, -0.0, True, "1,000.5", None, "x"]),
                    "value": st.sampled_from([3, "4"]),
                },
            ),
        }
    ),
    max_size=40,
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)  # db_url: unused here
@given(msgs=_messages)
def test_counting_in_groups_counts_as_one_message_at_a_time_does(msgs, db_url):
    """The counting stage sums messages alike before counting them; the storing pass of
    PostgreSQL counts one message at a time (backend/ingest/fold.py). Same deltas."""
    from backend.ingest.fold import count_into, revenue_of
    from backend.ingest.geo import country_of
    from backend.ingest.summary import add_alike, count_groups

    dims = ["utm_campaign", "sku"]
    groups: dict = {}
    add_alike(groups, dims, msgs)
    grouped: dict = {}
    count_groups(grouped, {}, "acct", dims, groups)
    one_by_one: dict = {}
    for m in msgs:
        rev = (revenue_of(m["p"]) if m["p"] else None) or 0.0
        count_into(one_by_one, {}, "acct", dims, m["e"], m["ts"], country_of(m["ip"]), m["p"], rev)
    assert grouped.keys() == one_by_one.keys()
    for key, (n, rev) in one_by_one.items():
        assert grouped[key][0] == n and grouped[key][1] == pytest.approx(rev)

"""list_metrics and the profile reads, on SQLite and PostgreSQL (rows written directly)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from backend.analytics import (
    InvalidQuery,
    dimensions_of,
    find_profile,
    get_profile,
    list_metrics,
    list_profiles,
    metric_exists,
)
from backend.store.models import Account, Event, List, ListMember, Metric, Profile

T0 = datetime(2026, 11, 1, 12, 0, 0)


@pytest.fixture
def shop(runtime, make_account):
    """Two accounts; the first has a known shopper with events and lists."""
    mine, theirs = make_account("Mine"), make_account("Theirs")
    with runtime.db.session() as s:
        s.add_all(
            [
                Metric(
                    account_id=mine.id,
                    name="Placed Order",
                    count=3,
                    revenue=120.5,
                    first_seen=T0,
                    last_seen=T0 + timedelta(days=2),
                ),
                Metric(
                    account_id=mine.id,
                    name="$identify",
                    count=1,
                    revenue=0,
                    first_seen=T0,
                    last_seen=T0,
                ),
                Metric(
                    account_id=mine.id,
                    name="Added to Cart",
                    count=7,
                    revenue=0,
                    first_seen=T0,
                    last_seen=T0 + timedelta(hours=5),
                ),
                Metric(
                    account_id=theirs.id,
                    name="Secret Metric",
                    count=1,
                    revenue=0,
                    first_seen=T0,
                    last_seen=T0,
                ),
            ]
        )
        ada = Profile(
            account_id=mine.id,
            external_id="u1",
            email="ada@example.com",
            traits={"first_name": "Ada"},
            country="GB",
            first_seen=T0,
            last_seen=T0 + timedelta(days=3),
        )
        bob = Profile(
            account_id=mine.id,
            email="bob@example.com",
            traits={},
            country="US",
            first_seen=T0,
            last_seen=T0 + timedelta(days=1),
        )
        eve = Profile(
            account_id=theirs.id,
            email="eve@example.com",
            traits={"x": 1},
            first_seen=T0,
            last_seen=T0,
        )
        s.add_all([ada, bob, eve])
        s.flush()
        for i in range(60):
            s.add(
                Event(
                    account_id=mine.id,
                    message_id=f"m{i}",
                    profile_id=ada.id,
                    metric="Viewed Product" if i % 2 else "Placed Order",
                    ts=T0 + timedelta(minutes=i),
                    country="GB",
                    revenue=None if i % 2 else 10.0 + i,
                    properties={"i": i},
                )
            )
        news, vip = (
            List(account_id=mine.id, name="Newsletter"),
            List(account_id=mine.id, name="VIP"),
        )
        s.add_all([news, vip])
        s.flush()
        s.add_all(
            [
                ListMember(list_id=vip.id, profile_id=ada.id),
                ListMember(list_id=news.id, profile_id=ada.id),
            ]
        )
        s.get(Account, mine.id).dimensions = ["utm_campaign", "country"]
        ids = {"ada": ada.id, "bob": bob.id, "eve": eve.id}
    return mine, theirs, ids


def test_list_metrics_hides_internal_names_and_other_accounts(runtime, shop):
    mine, theirs, _ = shop
    with runtime.db.session() as s:
        listed = list_metrics(s, mine.id)
        assert listed == [
            {
                "name": "Added to Cart",
                "count": 7,
                "first_seen": "2026-11-01T12:00:00Z",
                "last_seen": "2026-11-01T17:00:00Z",
            },
            {
                "name": "Placed Order",
                "count": 3,
                "first_seen": "2026-11-01T12:00:00Z",
                "last_seen": "2026-11-03T12:00:00Z",
            },
        ]
        assert [m["name"] for m in list_metrics(s, theirs.id)] == ["Secret Metric"]
        assert metric_exists(s, mine.id, "Placed Order")
        assert not metric_exists(s, mine.id, "Secret Metric")
        assert dimensions_of(s, mine.id) == ["country", "utm_campaign"]
        s.get(Account, theirs.id).dimensions = []
        assert dimensions_of(s, theirs.id) == ["country"]


def test_get_profile_has_traits_lists_and_newest_50_events(runtime, shop):
    mine, theirs, ids = shop
    with runtime.db.session() as s:
        p = get_profile(s, mine.id, ids["ada"])
    assert p["email"] == "ada@example.com" and p["user_id"] == "u1"
    assert p["traits"] == {"first_name": "Ada"} and p["country"] == "GB"
    assert p["lists"] == ["Newsletter", "VIP"]
    assert p["first_seen"] == "2026-11-01T12:00:00Z"
    assert p["last_seen"] == "2026-11-04T12:00:00Z"
    events = p["events"]
    assert len(events) == 50
    assert [e["properties"]["i"] for e in events] == list(range(59, 9, -1))
    assert events[0] == {
        "id": "m59",
        "metric": "Viewed Product",
        "ts": "2026-11-01T12:59:00Z",
        "country": "GB",
        "revenue": None,
        "properties": {"i": 59},
    }
    assert events[1]["revenue"] == 68.0


def test_profiles_of_another_account_are_invisible(runtime, shop):
    mine, theirs, ids = shop
    with runtime.db.session() as s:
        assert get_profile(s, mine.id, ids["eve"]) is None
        assert get_profile(s, theirs.id, ids["ada"]) is None
        assert find_profile(s, mine.id, "eve@example.com") is None
        assert find_profile(s, theirs.id, "eve@example.com")["traits"] == {"x": 1}
        assert list_profiles(s, theirs.id)["total"] == 1


def test_find_profile_by_email_ignores_case(runtime, shop):
    mine, _, ids = shop
    with runtime.db.session() as s:
        assert find_profile(s, mine.id, " Ada@Example.COM ")["id"] == ids["ada"]
        assert find_profile(s, mine.id, "nobody@example.com") is None
        with pytest.raises(InvalidQuery) as err:
            find_profile(s, mine.id, "not-an-email")
        assert err.value.param == "email"


def test_list_profiles_searches_and_pages(runtime, shop):
    mine, _, ids = shop
    with runtime.db.session() as s:
        page = list_profiles(s, mine.id)
        assert page["total"] == 2
        assert [p["id"] for p in page["profiles"]] == [ids["ada"], ids["bob"]]  # newest first
        assert list_profiles(s, mine.id, search="BOB")["profiles"][0]["id"] == ids["bob"]
        assert list_profiles(s, mine.id, search="u1")["profiles"][0]["id"] == ids["ada"]
        assert list_profiles(s, mine.id, search="%")["total"] == 0  # a literal, not a wildcard
        second = list_profiles(s, mine.id, offset=1, limit=1)
        assert [p["id"] for p in second["profiles"]] == [ids["bob"]] and second["total"] == 2
        with pytest.raises(InvalidQuery) as err:
            list_profiles(s, mine.id, limit=1000)
        assert err.value.param == "limit"


# SQLite's planner only: it chose the account's index (PostgreSQL plans by statistics).
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_recent_events_are_read_through_the_profiles_index(runtime, shop):
    """The profile page read every event of the account (1.4 s at 1M events on SQLite):
    the events query must search by the profile, not scan the account."""
    from sqlalchemy import event

    mine, _, ids = shop
    engine = runtime.db.engine
    # Without statistics SQLite breaks the tie between the two indexes by their order in
    # the schema, which depends on how the store was migrated: put the account's last, as
    # in a store migrated from an older version (the demo's), where it was chosen.
    with engine.begin() as conn:
        [ddl] = conn.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE name = 'ix_events_metric_ts'"
        ).one()
        conn.exec_driver_sql("DROP INDEX ix_events_metric_ts")
        conn.exec_driver_sql(ddl)
    seen: list[tuple[str, object]] = []

    def remember(_conn, _cursor, statement, parameters, _context, _many):
        if "FROM events" in statement:
            seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", remember)
    try:
        with runtime.db.session() as s:
            get_profile(s, mine.id, ids["ada"])
    finally:
        event.remove(engine, "before_cursor_execute", remember)
    [(statement, parameters)] = seen
    with engine.connect() as conn:
        plan = " ".join(
            row[-1] for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters)
        )
    assert "ix_events_profile" in plan, plan

"""The account time zone service: validation naming the zone, nothing changed on a refusal,
report schedules moved to the new zone's hour, "today" in the zone."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from backend.accounts import timezones
from backend.accounts.service import create_account
from backend.dashboards import service as dashboards
from backend.reports import schedules
from backend.store.models import Account


@pytest.fixture
def acc(db):
    with db.session() as s:
        return create_account(s, "Acme", email="owner@acme.test", password="x" * 12)


def test_a_new_account_is_on_utc_and_can_move(db, acc):
    with db.session() as s:
        assert timezones.get_timezone(s, acc.id) == "UTC"
        assert timezones.set_timezone(s, acc.id, " America/New_York ") == "America/New_York"
    with db.session() as s:
        assert s.get(Account, acc.id).timezone == "America/New_York"
        assert timezones.get_timezone(s, acc.id) == "America/New_York"


@pytest.mark.parametrize(
    "bad, named",
    [
        ("Mars/Olympus_Mons", "Mars/Olympus_Mons"),
        ("america/new_york", "america/new_york"),  # IANA names are case-sensitive
        ("EST5EDT ; drop table", "EST5EDT ; drop table"),
        ("../../etc/passwd", "../../etc/passwd"),
        ("localtime", "localtime"),
        ("A" * 300, "A" * 64),
    ],
)
def test_an_unknown_zone_is_refused_by_name_and_changes_nothing(db, acc, bad, named):
    with db.session() as s:
        timezones.set_timezone(s, acc.id, "Europe/Paris")
    with pytest.raises(timezones.TimezoneInvalid) as err, db.session() as s:
        timezones.set_timezone(s, acc.id, bad)
    message = str(err.value)
    assert f"Unknown time zone {named!r}" in message and "Europe/Paris" in message
    with db.session() as s:
        assert timezones.get_timezone(s, acc.id) == "Europe/Paris"


@pytest.mark.parametrize("empty", [None, "", "   ", 3])
def test_no_zone_at_all_says_what_to_give(db, acc, empty):
    with pytest.raises(timezones.TimezoneInvalid, match="Choose a time zone"), db.session() as s:
        timezones.set_timezone(s, acc.id, empty)


def test_the_list_is_sorted_iana_names_with_utc():
    names = timezones.zone_names()
    assert list(names) == sorted(names) and len(names) > 300
    assert {"UTC", "America/New_York", "Europe/Paris", "Asia/Kolkata"} <= set(names)
    assert "localtime" not in names and "Factory" not in names


def test_today_in_a_zone():
    now = datetime(2026, 11, 3, 2, 0, tzinfo=UTC)  # 21:00 on Nov 2 in New York
    assert timezones.today_in("UTC", now) == date(2026, 11, 3)
    assert timezones.today_in("America/New_York", now) == date(2026, 11, 2)
    assert timezones.today_in("Asia/Tokyo", datetime(2026, 11, 2, 15, 30, tzinfo=UTC)) == date(
        2026, 11, 3
    )


def test_changing_the_zone_moves_report_schedules_to_the_same_local_hour(db, acc):
    now = datetime(2026, 1, 10, 6, 0)  # naive UTC, winter
    with db.session() as s:
        [dash] = dashboards.list_dashboards(s, acc.id)
        body = {"frequency": "daily", "hour": 8, "recipients": ["boss@acme.test"]}
        sc = schedules.put(s, acc.id, dash.id, body, now=now)
        assert sc.next_run_at == datetime(2026, 1, 10, 8)  # 08:00 UTC
        moved = timezones.set_timezone(s, acc.id, "America/New_York")
        assert moved == "America/New_York"
    with db.session() as s:
        sc = schedules.get(s, acc.id, dash.id)
        # Rescheduled from the real clock: 08:00 New York time on some day (13:00 UTC in
        # winter, 12:00 in summer), never the old 08:00 UTC.
        local = sc.next_run_at.replace(tzinfo=UTC).astimezone(ZoneInfo("America/New_York"))
        assert (local.hour, local.minute) == (8, 0) and sc.next_run_at > now
        assert schedules.to_json(sc)["timezone"] == "America/New_York"
        assert schedules.to_json(sc)["hour"] == 8


def test_through_the_api_schedules_say_their_zone_and_series_keep_utc_by_default(
    runtime, client, account
):
    """The public contract does not move: /api series default to UTC whatever the account's
    zone; the schedule endpoint answers its hour's zone (an added field)."""
    with runtime.db.session() as s:
        timezones.set_timezone(s, account.id, "Asia/Kolkata")  # UTC+05:30
    h = {"Authorization": f"Bearer {account.private_key}"}
    [dash] = client.get("/api/dashboards", headers=h).json["dashboards"]
    r = client.put(
        f"/api/dashboards/{dash['id']}/schedule",
        headers=h,
        json={"frequency": "daily", "hour": 9, "recipients": ["boss@acme.test"]},
    )
    assert r.status_code == 200 and r.json["timezone"] == "Asia/Kolkata" and r.json["hour"] == 9
    assert r.json["next_run_at"].endswith("T03:30:00Z")  # 09:00 in Kolkata
    got = client.get(f"/api/dashboards/{dash['id']}/schedule", headers=h).json
    assert got["timezone"] == "Asia/Kolkata"
    bad = client.put(
        f"/api/dashboards/{dash['id']}/schedule",
        headers=h,
        json={"frequency": "daily", "hour": 24, "recipients": ["boss@acme.test"]},
    )
    assert bad.status_code == 400 and "account's time zone" in bad.json["error"]

    from backend.ingest import ingestor
    from tests.ingest.conftest import basic

    yesterday = datetime.now(UTC).date() - timedelta(days=1)
    at = datetime.combine(yesterday, time(23), tzinfo=UTC)  # 04:30 today in Kolkata
    msg = {
        "type": "track",
        "userId": "u1",
        "event": "Placed Order",
        "messageId": "late-1",
        "timestamp": at.isoformat(),
    }
    assert client.post("/v1/track", json=msg, headers=basic(account.write_key)).status_code == 200
    ingestor(runtime).drain()

    def days(query: str) -> dict:
        r = client.get(
            f"/api/metrics/Placed%20Order/series?start={yesterday}"
            f"&end={yesterday + timedelta(days=1)}{query}",
            headers=h,
        )
        assert r.status_code == 200, r.json
        return {p["t"][:10]: p["count"] for p in r.json["series"][0]["points"]}

    today = str(yesterday + timedelta(days=1))
    assert days("") == {str(yesterday): 1, today: 0}  # UTC, as docs/api.md fixes it
    assert days("&tz=Asia/Kolkata") == {str(yesterday): 0, today: 1}

"""The read API as a client uses it: /api/metrics, series, profiles (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from backend.counters import counter_store
from backend.counters.base import CounterKey, Totals
from backend.store.models import Event, List, ListMember, Metric, Profile

T0 = datetime(2026, 11, 27, 12)


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def shop(runtime, account, make_account):
    """`account` sold in FR and US on Nov 27-28 2026; another account has its own data."""
    other = make_account("Other Shop")
    with runtime.db.session() as s:
        s.add_all(
            [
                Metric(
                    account_id=account.id,
                    name="Placed Order",
                    count=4,
                    revenue=80.0,
                    first_seen=T0,
                    last_seen=T0 + timedelta(days=1),
                ),
                Metric(
                    account_id=account.id,
                    name="$identify",
                    count=1,
                    revenue=0.0,
                    first_seen=T0,
                    last_seen=T0,
                ),
                Metric(
                    account_id=other.id,
                    name="Placed Order",
                    count=50,
                    revenue=5000.0,
                    first_seen=T0,
                    last_seen=T0,
                ),
            ]
        )
        ada = Profile(
            account_id=account.id,
            external_id="u-ada",
            email="ada@example.com",
            traits={"first_name": "Ada"},
            country="FR",
            first_seen=T0,
            last_seen=T0,
        )
        zed = Profile(
            account_id=other.id, email="zed@example.com", traits={}, first_seen=T0, last_seen=T0
        )
        s.add_all([ada, zed])
        s.flush()
        s.add(
            Event(
                account_id=account.id,
                message_id="order-1",
                profile_id=ada.id,
                metric="Placed Order",
                ts=T0,
                country="FR",
                revenue=20.0,
                properties={"revenue": 20.0},
            )
        )
        vip = List(account_id=account.id, name="VIP")
        s.add(vip)
        s.flush()
        s.add(ListMember(list_id=vip.id, profile_id=ada.id))
        ids = {"ada": ada.id, "zed": zed.id}
    h = datetime(2026, 11, 27, 23)  # 23:00 UTC = Nov 28 00:00 in Paris
    counter_store(runtime).increment(
        "read-api-test",
        {
            CounterKey(account.id, "Placed Order", "", "", T0): Totals(3, 60.0),
            CounterKey(account.id, "Placed Order", "country", "FR", T0): Totals(2, 40.0),
            CounterKey(account.id, "Placed Order", "country", "US", T0): Totals(1, 20.0),
            CounterKey(account.id, "Placed Order", "", "", h): Totals(1, 20.0),
            CounterKey(account.id, "Placed Order", "country", "US", h): Totals(1, 20.0),
            CounterKey(other.id, "Placed Order", "", "", T0): Totals(50, 5000.0),
            CounterKey(other.id, "Placed Order", "country", "DE", T0): Totals(50, 5000.0),
        },
    )
    return account, other, ids


def test_metrics_lists_the_accounts_public_metrics(client, shop):
    account, other, _ = shop
    resp = client.get("/api/metrics", headers=bearer(account.private_key))
    assert resp.status_code == 200
    assert resp.get_json() == {
        "metrics": [
            {
                "name": "Placed Order",
                "count": 4,
                "first_seen": "2026-11-27T12:00:00Z",
                "last_seen": "2026-11-28T12:00:00Z",
            }
        ]
    }


def test_series_in_a_time_zone_by_country(client, shop):
    account, _, _ = shop
    resp = client.get(
        "/api/metrics/Placed Order/series?start=2026-11-27&end=2026-11-28"
        "&interval=day&tz=Europe/Paris&by=country",
        headers=bearer(account.private_key),
    )
    assert resp.status_code == 200, resp.get_json()
    assert resp.get_json() == {
        "metric": "Placed Order",
        "interval": "day",
        "series": [
            {
                "key": "FR",
                "points": [
                    {"t": "2026-11-27T00:00:00+01:00", "count": 2, "revenue": 40.0},
                    {"t": "2026-11-28T00:00:00+01:00", "count": 0, "revenue": 0.0},
                ],
            },
            {
                "key": "US",
                "points": [
                    {"t": "2026-11-27T00:00:00+01:00", "count": 1, "revenue": 20.0},
                    {"t": "2026-11-28T00:00:00+01:00", "count": 1, "revenue": 20.0},
                ],
            },
        ],
    }
    utc = client.get(
        "/api/metrics/Placed%20Order/series?start=2026-11-27&end=2026-11-28",
        headers=bearer(account.private_key),
    ).get_json()
    assert utc["series"] == [
        {
            "key": None,
            "points": [
                {"t": "2026-11-27T00:00:00+00:00", "count": 4, "revenue": 80.0},
                {"t": "2026-11-28T00:00:00+00:00", "count": 0, "revenue": 0.0},
            ],
        }
    ]


def test_series_defaults_to_the_last_30_days_by_day_in_utc(client, shop):
    account, _, _ = shop
    body = client.get(
        "/api/metrics/Placed Order/series", headers=bearer(account.private_key)
    ).get_json()
    assert body["interval"] == "day" and len(body["series"]) == 1
    pts = body["series"][0]["points"]
    today = datetime.now(UTC).date()
    assert len(pts) == 30
    assert pts[-1]["t"] == f"{today.isoformat()}T00:00:00+00:00"
    assert pts[0]["t"] == f"{(today - timedelta(days=29)).isoformat()}T00:00:00+00:00"


@pytest.mark.parametrize(
    "query, param, words",
    [
        ("start=2026-11-28&end=2026-11-27", "end", "is before start"),
        ("start=2026-11-27&end=2026-11-28&interval=minute", "interval", "hour, day, week, month"),
        ("tz=Mars/Base", "tz", "unknown time zone 'Mars/Base'"),
        ("start=2026/11/27", "start", "YYYY-MM-DD"),
        ("end=yesterday", "end", "YYYY-MM-DD"),
        ("start=2024-01-01&end=2026-11-27&interval=hour", "start", "at most 366 days"),
        ("by=planet", "by", "unknown dimension 'planet'"),
        ("top=ten", "top", "integer"),
        ("measure=profit", "measure", "count, revenue"),
    ],
)
def test_bad_series_parameters_are_400_naming_the_parameter(client, shop, query, param, words):
    account, _, _ = shop
    resp = client.get(
        f"/api/metrics/Placed Order/series?{query}", headers=bearer(account.private_key)
    )
    assert resp.status_code == 400
    body = resp.get_json()
    assert body["param"] == param
    assert body["error"].startswith(f"{param}: ") and words in body["error"]


def test_unknown_metric_is_404(client, shop):
    account, _, _ = shop
    resp = client.get("/api/metrics/Nope/series", headers=bearer(account.private_key))
    assert resp.status_code == 404 and "Nope" in resp.get_json()["error"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/metrics",
        "/api/metrics/Placed Order/series",
        "/api/profiles?email=ada@example.com",
        "/api/profiles/1",
    ],
)
def test_reads_need_the_private_key(client, shop, path):
    account, _, _ = shop
    assert client.get(path).status_code == 401
    assert client.get(path, headers=bearer(account.write_key)).status_code == 401
    assert client.get(path, headers=bearer(account.public_key)).status_code == 401
    assert client.get(path, headers=bearer("tk_not-a-key")).status_code == 401
    assert "error" in client.get(path).get_json()


def test_profile_by_email_and_by_id(client, shop):
    account, _, ids = shop
    by_email = client.get(
        "/api/profiles?email=ADA@example.com", headers=bearer(account.private_key)
    )
    assert by_email.status_code == 200
    body = by_email.get_json()
    assert body == {
        "id": ids["ada"],
        "user_id": "u-ada",
        "email": "ada@example.com",
        "traits": {"first_name": "Ada"},
        "country": "FR",
        "email_status": "never_subscribed",
        "email_status_at": None,
        "email_status_reason": None,
        "predictions": None,  # too little data for a fit: null, not zeros
        "lists": ["VIP"],
        "first_seen": "2026-11-27T12:00:00Z",
        "last_seen": "2026-11-27T12:00:00Z",
        "events": [
            {
                "id": "order-1",
                "metric": "Placed Order",
                "ts": "2026-11-27T12:00:00Z",
                "country": "FR",
                "revenue": 20.0,
                "properties": {"revenue": 20.0},
            }
        ],
    }
    by_id = client.get(f"/api/profiles/{ids['ada']}", headers=bearer(account.private_key))
    assert by_id.get_json() == body


def test_another_accounts_data_is_never_visible(client, shop):
    account, other, ids = shop
    key = bearer(account.private_key)
    assert client.get(f"/api/profiles/{ids['zed']}", headers=key).status_code == 404
    assert client.get("/api/profiles?email=zed@example.com", headers=key).status_code == 404
    listed = client.get("/api/profiles", headers=key).get_json()
    assert [p["email"] for p in listed["profiles"]] == ["ada@example.com"]
    theirs = client.get(
        "/api/metrics/Placed Order/series?start=2026-11-27&end=2026-11-27&by=country",
        headers=bearer(other.private_key),
    ).get_json()
    assert [s["key"] for s in theirs["series"]] == ["DE"]
    assert (
        client.get(f"/api/profiles/{ids['ada']}", headers=bearer(other.private_key)).status_code
        == 404
    )


def test_profile_list_pages_and_rejects_bad_paging(client, shop):
    account, _, _ = shop
    key = bearer(account.private_key)
    page = client.get("/api/profiles?q=ada&limit=1", headers=key).get_json()
    assert page["total"] == 1 and page["limit"] == 1 and page["offset"] == 0
    bad = client.get("/api/profiles?limit=-3", headers=key)
    assert bad.status_code == 400 and bad.get_json()["param"] == "limit"
    assert client.get("/api/profiles?email=nobody", headers=key).status_code == 400
    assert client.get("/api/profiles?email=no@one.test", headers=key).status_code == 404


def test_read_routes_are_documented(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    for path in (
        "/api/metrics",
        "/api/metrics/{name}/series",
        "/api/profiles",
        "/api/profiles/{profile_id}",
    ):
        assert "get" in paths[path] and paths[path]["get"]["summary"]
    params = {p["name"] for p in paths["/api/metrics/{name}/series"]["get"]["parameters"]}
    assert {"start", "end", "interval", "tz", "by"} <= params


def test_series_over_a_dst_week_in_new_york(client, shop, runtime):
    account, _, _ = shop
    start = datetime(2026, 10, 26, 4)  # Mon Oct 26 00:00 EDT
    counter_store(runtime).increment(
        "dst-week",
        {
            CounterKey(account.id, "Placed Order", "", "", start + timedelta(hours=h)): Totals(
                1, 1.0
            )
            for h in range(24 * 14)
        },
    )
    body = client.get(
        "/api/metrics/Placed Order/series?start=2026-10-26&end=2026-11-08"
        "&interval=week&tz=America/New_York",
        headers=bearer(account.private_key),
    ).get_json()
    pts = body["series"][0]["points"]
    # The week of the change (Nov 1) has 169 hours; data ran 336 UTC hours from Oct 26 04:00.
    assert [p["t"] for p in pts] == ["2026-10-26T00:00:00-04:00", "2026-11-02T00:00:00-05:00"]
    assert [p["count"] for p in pts] == [169, 336 - 169]
    assert date.fromisoformat(pts[1]["t"][:10]).weekday() == 0

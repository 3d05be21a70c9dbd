"""series(): local-time buckets over UTC hour counters, zero filling, top N + other, revenue."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from backend.analytics import OTHER_KEY, InvalidQuery, series, series_json


def points(df, key=None) -> list[tuple[str, int, float]]:
    rows = df[df["key"].isna()] if key is None else df[df["key"] == key]
    return [
        (t.isoformat(), c, r)
        for t, c, r in zip(rows["t"], rows["count"], rows["revenue"], strict=True)
    ]


def test_day_boundaries_follow_the_time_zone(acc, counters, put):
    # 03:00 UTC on Jan 15 is 22:00 on Jan 14 in New York (UTC-5 in winter).
    put(counters, acc, "Placed Order", datetime(2026, 1, 15, 3), 2, 50.0)
    put(counters, acc, "Placed Order", datetime(2026, 1, 15, 12), 1, 10.0)
    utc = series(counters, acc, "Placed Order", date(2026, 1, 14), date(2026, 1, 15))
    assert points(utc) == [
        ("2026-01-14T00:00:00+00:00", 0, 0.0),
        ("2026-01-15T00:00:00+00:00", 3, 60.0),
    ]
    ny = series(
        counters, acc, "Placed Order", date(2026, 1, 14), date(2026, 1, 15), tz="America/New_York"
    )
    assert points(ny) == [
        ("2026-01-14T00:00:00-05:00", 2, 50.0),
        ("2026-01-15T00:00:00-05:00", 1, 10.0),
    ]


def test_range_ends_are_local_midnights(acc, counters, put):
    # Tokyo is UTC+9: Jan 10 local runs from Jan 9 15:00 UTC to Jan 10 15:00 UTC.
    for hour in (
        datetime(2026, 1, 9, 14),
        datetime(2026, 1, 9, 15),
        datetime(2026, 1, 10, 14),
        datetime(2026, 1, 10, 15),
    ):
        put(counters, acc, "m", hour)
    df = series(counters, acc, "m", date(2026, 1, 10), date(2026, 1, 10), tz="Asia/Tokyo")
    assert points(df) == [("2026-01-10T00:00:00+09:00", 2, 0.0)]


def test_dst_days_have_23_and_25_hours(acc, counters, put):
    # One event in every UTC hour around both US changes of 2026 (Mar 8 and Nov 1).
    for day in (datetime(2026, 3, 7), datetime(2026, 10, 31)):
        for h in range(72):
            put(counters, acc, "m", day + timedelta(hours=h))
    spring = series(
        counters, acc, "m", date(2026, 3, 8), date(2026, 3, 8), "hour", "America/New_York"
    )
    assert len(spring) == 23 and spring["count"].tolist() == [1] * 23
    labels = [t.isoformat() for t in spring["t"]]
    assert labels[:3] == [
        "2026-03-08T00:00:00-05:00",
        "2026-03-08T01:00:00-05:00",
        "2026-03-08T03:00:00-04:00",
    ]
    fall = series(
        counters, acc, "m", date(2026, 11, 1), date(2026, 11, 1), "hour", "America/New_York"
    )
    assert len(fall) == 25
    labels = [t.isoformat() for t in fall["t"]]
    assert labels[1:3] == ["2026-11-01T01:00:00-04:00", "2026-11-01T01:00:00-05:00"]
    days = series(counters, acc, "m", date(2026, 3, 7), date(2026, 3, 9), "day", "America/New_York")
    assert points(days) == [
        ("2026-03-07T00:00:00-05:00", 24, 0.0),
        ("2026-03-08T00:00:00-05:00", 23, 0.0),
        ("2026-03-09T00:00:00-04:00", 20, 0.0),
    ]  # 04:00-23:00 UTC


def test_half_hour_zone_counts_an_hour_on_the_day_it_starts(acc, counters, put):
    # Kolkata is UTC+5:30: the 18:00 UTC hour starts at 23:30 local, the 19:00 one at 00:30.
    put(counters, acc, "m", datetime(2026, 2, 1, 18), 5)
    put(counters, acc, "m", datetime(2026, 2, 1, 19), 7)
    df = series(counters, acc, "m", date(2026, 2, 1), date(2026, 2, 2), tz="Asia/Kolkata")
    assert points(df) == [
        ("2026-02-01T00:00:00+05:30", 5, 0.0),
        ("2026-02-02T00:00:00+05:30", 7, 0.0),
    ]
    hours = series(counters, acc, "m", date(2026, 2, 2), date(2026, 2, 2), "hour", "Asia/Kolkata")
    assert points(hours)[0] == ("2026-02-02T00:30:00+05:30", 7, 0.0)
    assert len(hours) == 24


def test_weeks_start_on_monday_and_empty_weeks_are_zero(acc, counters, put):
    put(counters, acc, "m", datetime(2026, 1, 7, 10), 1, 1.5)  # Wednesday
    put(counters, acc, "m", datetime(2026, 1, 11, 23), 2, 2.5)  # Sunday, same ISO week
    put(counters, acc, "m", datetime(2026, 1, 26, 0), 4, 4.0)  # Monday 00:00
    df = series(counters, acc, "m", date(2026, 1, 7), date(2026, 1, 26), "week")
    assert points(df) == [
        ("2026-01-05T00:00:00+00:00", 3, 4.0),
        ("2026-01-12T00:00:00+00:00", 0, 0.0),
        ("2026-01-19T00:00:00+00:00", 0, 0.0),
        ("2026-01-26T00:00:00+00:00", 4, 4.0),
    ]


def test_months_in_local_time(acc, counters, put):
    # Feb 28 20:00 UTC is Mar 1 05:00 in Tokyo.
    put(counters, acc, "m", datetime(2026, 1, 20), 1, 9.99)
    put(counters, acc, "m", datetime(2026, 2, 28, 20), 3, 30.0)
    utc = series(counters, acc, "m", date(2026, 1, 15), date(2026, 3, 10), "month")
    assert points(utc) == [
        ("2026-01-01T00:00:00+00:00", 1, 9.99),
        ("2026-02-01T00:00:00+00:00", 3, 30.0),
        ("2026-03-01T00:00:00+00:00", 0, 0.0),
    ]
    tokyo = series(counters, acc, "m", date(2026, 1, 15), date(2026, 3, 10), "month", "Asia/Tokyo")
    assert [c for _, c, _ in points(tokyo)] == [1, 0, 3]


def test_every_day_is_present_with_zeros_and_revenue_adds_up(acc, counters, put):
    revenue = [19.99, 5.01, 100.0, 0.1, 0.2]
    for i, r in enumerate(revenue):
        put(counters, acc, "Placed Order", datetime(2026, 4, 3 + 2 * i, 9), 1, r)
    df = series(counters, acc, "Placed Order", date(2026, 4, 1), date(2026, 4, 30))
    assert len(df) == 30 and df["t"].is_monotonic_increasing
    assert int(df["count"].sum()) == 5
    assert df["revenue"].sum() == pytest.approx(sum(revenue))
    assert (df["count"] == 0).sum() == 25
    assert df.loc[df["count"] == 0, "revenue"].eq(0.0).all()
    assert list(df.columns) == ["key", "t", "count", "revenue"]


def test_by_country_top_n_plus_other_add_up_to_the_total(acc, counters, put):
    countries = ["US", "DE", "FR", "GB", "JP", "BR", "IN", "CA", "AU", "ES", "IT", "NL"]
    for rank, cc in enumerate(countries):
        for day in range(3):
            put(
                counters,
                acc,
                "Viewed Product",
                datetime(2026, 5, 1 + day, 12),
                (len(countries) - rank) * 10 + day,
                1.0 * (rank + 1),
                country=cc,
            )
    put(counters, acc, "Viewed Product", datetime(2026, 5, 2, 8), 6, 3.0)  # no country
    total = series(counters, acc, "Viewed Product", date(2026, 5, 1), date(2026, 5, 3))
    df = series(
        counters, acc, "Viewed Product", date(2026, 5, 1), date(2026, 5, 3), by="country", top=5
    )
    keys = list(dict.fromkeys(df["key"]))
    assert keys == ["US", "DE", "FR", "GB", "JP", OTHER_KEY, None]
    summed = df.groupby("t")[["count", "revenue"]].sum()
    assert summed["count"].tolist() == total["count"].tolist()
    assert summed["revenue"].tolist() == pytest.approx(total["revenue"].tolist())
    other = df[df["key"] == OTHER_KEY]
    assert other["count"].tolist() == [
        sum((12 - r) * 10 + d for r in range(5, 12)) for d in range(3)
    ]
    assert points(df, None) == [
        ("2026-05-01T00:00:00+00:00", 0, 0.0),
        ("2026-05-02T00:00:00+00:00", 6, 3.0),
        ("2026-05-03T00:00:00+00:00", 0, 0.0),
    ]


def test_top_values_ranked_by_revenue_when_asked(acc, counters, put):
    put(counters, acc, "Placed Order", datetime(2026, 5, 1, 1), 10, 100.0, utm_campaign="a")
    put(counters, acc, "Placed Order", datetime(2026, 5, 1, 1), 2, 900.0, utm_campaign="b")
    put(counters, acc, "Placed Order", datetime(2026, 5, 1, 1), 5, 50.0, utm_campaign="c")
    by_count = series(
        counters, acc, "Placed Order", date(2026, 5, 1), date(2026, 5, 1), by="utm_campaign", top=1
    )
    assert list(by_count["key"]) == ["a", OTHER_KEY]
    assert by_count["count"].tolist() == [10, 7]
    by_rev = series(
        counters,
        acc,
        "Placed Order",
        date(2026, 5, 1),
        date(2026, 5, 1),
        by="utm_campaign",
        top=1,
        measure="revenue",
    )
    assert list(by_rev["key"]) == ["b", OTHER_KEY]
    assert by_rev["revenue"].tolist() == [900.0, 150.0]


def test_fewer_values_than_top_has_no_other_series(acc, counters, put):
    put(counters, acc, "m", datetime(2026, 5, 1, 1), 1, country="US")
    df = series(counters, acc, "m", date(2026, 5, 1), date(2026, 5, 2), by="country")
    assert list(df["key"]) == ["US", "US"]


def test_another_accounts_counters_never_show(acc, counters, put):
    put(counters, "acc_other_" + acc, "m", datetime(2026, 5, 1, 1), 99, 99.0, country="US")
    put(counters, acc, "m", datetime(2026, 5, 1, 1), 1, 1.0, country="DE")
    df = series(counters, acc, "m", date(2026, 5, 1), date(2026, 5, 1), by="country")
    assert points(df, "DE") == [("2026-05-01T00:00:00+00:00", 1, 1.0)]
    assert set(df["key"]) == {"DE"}
    assert series(counters, "acc_nobody", "m", date(2026, 5, 1), date(2026, 5, 1))[
        "count"
    ].tolist() == [0]


def test_series_json_is_the_api_shape(acc, counters, put):
    put(counters, acc, "Placed Order", datetime(2026, 5, 2, 1), 2, 30.5, country="FR")
    df = series(
        counters,
        acc,
        "Placed Order",
        date(2026, 5, 1),
        date(2026, 5, 2),
        tz="Europe/Paris",
        by="country",
    )
    assert series_json("Placed Order", "day", df) == {
        "metric": "Placed Order",
        "interval": "day",
        "series": [
            {
                "key": "FR",
                "points": [
                    {"t": "2026-05-01T00:00:00+02:00", "count": 0, "revenue": 0.0},
                    {"t": "2026-05-02T00:00:00+02:00", "count": 2, "revenue": 30.5},
                ],
            }
        ],
    }


@pytest.mark.parametrize(
    "kwargs, param, words",
    [
        ({"start": date(2026, 5, 2), "end": date(2026, 5, 1)}, "end", "before start"),
        ({"interval": "minute"}, "interval", "hour, day, week, month"),
        ({"tz": "Mars/Base"}, "tz", "unknown time zone 'Mars/Base'"),
        ({"tz": "../../etc/passwd"}, "tz", "unknown time zone"),
        (
            {"start": date(2025, 1, 1), "end": date(2026, 1, 5), "interval": "hour"},
            "start",
            "at most 366",
        ),
        ({"start": date(2020, 1, 1), "end": date(2026, 1, 5)}, "start", "at most"),
        ({"top": 0}, "top", "from 1 to 100"),
        ({"measure": "profit"}, "measure", "count, revenue"),
    ],
)
def test_bad_parameters_are_named(acc, counters, kwargs, param, words):
    args = {"start": date(2026, 5, 1), "end": date(2026, 5, 2), **kwargs}
    with pytest.raises(InvalidQuery) as err:
        series(counters, acc, "m", **args)
    assert err.value.param == param
    assert words in str(err.value)

"""Date-range presets, the previous period, and definition validation."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.dashboards import DashboardInvalid, ranges, schema
from backend.dashboards.defaults import overview

TODAY = date(2026, 11, 26)  # a Thursday


@pytest.mark.parametrize(
    "preset, start, end",
    [
        ("today", date(2026, 11, 26), date(2026, 11, 26)),
        ("yesterday", date(2026, 11, 25), date(2026, 11, 25)),
        ("last_7_days", date(2026, 11, 20), date(2026, 11, 26)),
        ("last_30_days", date(2026, 10, 28), date(2026, 11, 26)),
        ("last_90_days", date(2026, 8, 29), date(2026, 11, 26)),
        ("week_to_date", date(2026, 11, 23), date(2026, 11, 26)),
        ("month_to_date", date(2026, 11, 1), date(2026, 11, 26)),
    ],
)
def test_presets(preset, start, end):
    assert ranges.resolve(preset, TODAY) == (start, end)


def test_custom_range_and_every_preset_is_handled():
    assert ranges.resolve({"start": "2026-01-02", "end": "2026-01-09"}, TODAY) == (
        date(2026, 1, 2),
        date(2026, 1, 9),
    )
    for preset in ranges.PRESETS:
        start, end = ranges.resolve(preset, TODAY)
        assert start <= end <= TODAY


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
    st.integers(min_value=0, max_value=400),
)
def test_previous_period_has_the_same_length_and_ends_the_day_before(start, days):
    end = date.fromordinal(start.toordinal() + days)
    ps, pe = ranges.previous(start, end)
    assert (pe - ps) == (end - start)
    assert pe.toordinal() == start.toordinal() - 1


def test_a_card_gets_every_field_with_defaults():
    c = schema.card({"metric": "Placed Order"})
    assert c["id"] and c["title"] == "Placed Order"
    assert (
        c["measure"],
        c["chart"],
        c["interval"],
        c["range"],
        c["compare"],
        c["by"],
        c["top"],
        c["country"],
    ) == ("count", "line", "day", None, False, None, 5, None)
    assert (c["x"], c["y"], c["w"], c["h"]) == (0, 0, 4, 2)


def test_a_map_is_always_by_country():
    assert schema.card({"metric": "A", "chart": "map", "by": "utm_campaign"})["by"] == "country"


def test_countries_are_upper_cased_and_checked():
    assert schema.card({"metric": "A", "country": "fr"})["country"] == "FR"
    with pytest.raises(DashboardInvalid) as e:
        schema.filters({"country": "France"})
    assert e.value.field == "filters.country"


@pytest.mark.parametrize(
    "raw, field",
    [
        ({"metric": "A", "compare": "yes"}, "card.compare"),
        ({"metric": "A", "h": True}, "card.h"),
        ({"metric": "A", "id": "has space"}, "card.id"),
        ({"metric": "A", "measure": "sum"}, "card.measure"),
        ({"metric": ""}, "card.metric"),
        ([], "card"),
    ],
)
def test_bad_cards_name_the_field(raw, field):
    with pytest.raises(DashboardInvalid) as e:
        schema.card(raw)
    assert e.value.field == field


def test_the_overview_is_a_valid_definition_of_eight_cards():
    defn = schema.definition(overview())
    assert defn["name"] == "Overview" and len(defn["cards"]) == 8
    cells = set()
    for c in defn["cards"]:  # no two cards overlap on the 12-column grid
        assert c["x"] + c["w"] <= schema.COLS
        for x in range(c["x"], c["x"] + c["w"]):
            for y in range(c["y"], c["y"] + c["h"]):
                assert (x, y) not in cells
                cells.add((x, y))


def test_labels():
    assert ranges.label("last_7_days") == "Last 7 days"
    assert ranges.label({"start": "2026-11-15", "end": "2026-11-15"}) == "Nov 15, 2026"
    assert ranges.label({"start": "2026-11-01", "end": "2026-11-30"}) == "Nov 01 – Nov 30, 2026"

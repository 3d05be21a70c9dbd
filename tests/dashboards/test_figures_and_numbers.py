"""Numbers for people, and figures built from card data: one template, drill-down data on
every clickable mark, the previous period as its own trace, countries on the map."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from backend.analytics import OTHER_KEY
from backend.dashboards import CardData, schema
from components.dashboard import figures
from components.dashboard.card import big_number, table
from components.dashboard.numbers import change, human


@pytest.mark.parametrize(
    "value, money, text",
    [
        (0, False, "0"),
        (42, False, "42"),
        (3400, False, "3,400"),
        (3400, True, "$3,400"),
        (12_345, False, "12.3K"),
        (250_000, False, "250K"),
        (1_230_000, False, "1.2M"),
        (2_000_000, True, "$2M"),
        (3_400_000_000, False, "3.4B"),
        (42.5, True, "$42.50"),
        (-1500, False, "−1,500"),
    ],
)
def test_human(value, money, text):
    assert human(value, money) == text


@pytest.mark.parametrize(
    "ratio, text",
    [
        (None, "new"),
        (0.0, "0%"),
        (0.123, "+12%"),
        (0.05, "+5.0%"),
        (-0.034, "−3.4%"),
        (1.5, "+150%"),
    ],
)
def test_change(ratio, text):
    assert change(ratio) == text


def frame(keys: list, days: int, base: int = 1) -> pd.DataFrame:
    t = pd.date_range("2026-11-01", periods=days, freq="D", tz="UTC")
    rows = [(k, ts, base * (i + 1), 10.0 * (i + 1)) for i, k in enumerate(keys) for ts in t]
    return pd.DataFrame(rows, columns=["key", "t", "count", "revenue"])


def data(cdef: dict, df: pd.DataFrame, prev: pd.DataFrame | None = None) -> CardData:
    c = schema.card({"id": "x", **cdef})
    m = c["measure"]
    return CardData(
        c,
        date(2026, 11, 1),
        date(2026, 11, 7),
        df,
        prev,
        float(df[m].sum()),
        None if prev is None else float(prev[m].sum()),
        None,
        None,
    )


def test_line_with_previous_period():
    fig = figures.figure(
        data(
            {"metric": "A", "chart": "line", "compare": True},
            frame([None], 7),
            frame([None], 7, base=2),
        )
    )
    assert [t.name for t in fig.data] == ["Total", "Previous period"]
    assert list(fig.data[0].customdata[0]) == ["t", "2026-11-01", ""]  # "" = a whole day
    assert fig.data[1].line.dash == "dot"
    assert fig.layout.template.layout.colorway == tuple(figures.PALETTE)


def test_ranked_bars_carry_the_country_for_drill_down():
    d = data(
        {"metric": "A", "chart": "bar", "by": "country"}, frame(["US", "FR", OTHER_KEY, None], 3)
    )
    fig = figures.figure(d)
    [bars] = fig.data
    codes = [c[1] for c in bars.customdata]
    assert codes == [None, OTHER_KEY, "FR", "US"]  # largest drawn on top
    assert list(bars.y)[-2:] == ["France", "United States"]
    assert list(bars.text)[-1] == "3"


def test_world_map_uses_country_names_and_skips_unknown():
    fig = figures.figure(data({"metric": "A", "chart": "map"}, frame(["US", "TR", None], 2)))
    [geo] = fig.data
    assert list(geo.locations) == ["United States", "Turkey"]
    assert [c[1] for c in geo.customdata] == ["US", "TR"]


def test_big_number_and_table_text():
    d = data(
        {"metric": "A", "chart": "number", "measure": "revenue", "compare": True},
        frame([None], 7),
        frame([None], 7),
    )
    assert "$70" in str(big_number(d).children[0].children)
    assert "0%" in str(big_number(d).children[1])
    t = table(data({"metric": "A", "chart": "table", "by": "country"}, frame(["US", "FR"], 2)))
    assert "United States" in str(t) and "France" in str(t)
    assert figures.figure(data({"metric": "A", "chart": "table"}, frame([None], 1))) is None

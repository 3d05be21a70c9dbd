"""Report numbers read the same as the dashboard's."""

import pytest

from backend.reports.text import change, human
from components.dashboard.numbers import human as page_human


@pytest.mark.parametrize(
    "value", [0, 42, 999, 3400, 9999, 10_000, 44_500, 445_000, 1_250_000, 3.4e9]
)
def test_human_matches_the_dashboard(value):
    assert human(value) == page_human(value)
    assert human(value, money=True) == page_human(value, money=True)


def test_examples():
    assert human(445_000, money=True) == "$445K" and human(3400, money=True) == "$3,400"
    assert change(0.25) == "+25%" and change(-0.034) == "−3.4%" and change(None) == "new"

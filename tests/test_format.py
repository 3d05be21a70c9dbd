"""Numbers and times formatted for people."""

from datetime import UTC, datetime, timedelta

from components.format import ago, compact, money


def test_compact_numbers():
    assert [compact(n) for n in (0, 999, 1200, 1_250_000, 3_400_000_000, 12.5, None)] == [
        "0",
        "999",
        "1.2k",
        "1.2M",
        "3.4B",
        "12.50",
        "—",
    ]


def test_money():
    assert (
        money(3400) == "$3,400"
        and money(12.5) == "$12.50"
        and money(1234.5, exact=True) == "$1,234.50"
    )


def test_ago():
    now = datetime(2026, 11, 29, 12, tzinfo=UTC)
    assert ago(now - timedelta(seconds=5), now) == "just now"
    assert ago(now - timedelta(minutes=5), now) == "5 min ago"
    assert ago(now - timedelta(hours=3), now) == "3 h ago"
    assert ago((now - timedelta(days=2)).isoformat(), now) == "2 d ago"
    assert ago(now - timedelta(days=90), now) == "31 Aug 2026"
    assert ago(None) == "never"

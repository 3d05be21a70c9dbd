"""Times formatted for people."""

from datetime import UTC, datetime, timedelta

from components.format import ago


def test_ago():
    now = datetime(2026, 11, 29, 12, tzinfo=UTC)
    assert ago(now - timedelta(seconds=5), now) == "just now"
    assert ago(now - timedelta(minutes=5), now) == "5 min ago"
    assert ago(now - timedelta(hours=3), now) == "3 h ago"
    assert ago((now - timedelta(days=2)).isoformat(), now) == "2 d ago"
    assert ago(now - timedelta(days=90), now) == "31 Aug 2026"
    assert ago(None) == "never"

"""seed(): generated traffic goes through the real ingestion path into every store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from backend.analytics import counter_store, list_metrics, series
from backend.store.models import Event, Metric, Profile

END = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


def test_seed_counts_every_event_once_in_events_metrics_and_counters(runtime, account):
    from backend.demo import seed

    assert seed(runtime, account.id, events=3000, days=14, progress=False, end=END) == 3000
    with runtime.db.session() as s:
        assert (
            s.scalar(select(func.count()).select_from(Event).where(Event.account_id == account.id))
            == 3000
        )
        total = s.scalar(select(func.sum(Metric.count)).where(Metric.account_id == account.id))
        assert total == 3000
        listed = {m["name"]: m["count"] for m in list_metrics(s, account.id)}
        profiles = s.scalar(
            select(func.count())
            .select_from(Profile)
            .where(Profile.account_id == account.id, Profile.email.is_not(None))
        )
    assert listed["Placed Order"] > 0 and "$identify" not in listed
    assert profiles > 0
    start, end = (END - timedelta(days=15)).date(), END.date()
    for name, count in listed.items():
        df = series(counter_store(runtime), account.id, name, start, end, by="country", top=100)
        assert int(df["count"].sum()) == count
        assert None not in set(df["key"])  # every visitor's address resolved to a country
    orders = series(counter_store(runtime), account.id, "Placed Order", start, end)
    assert orders["revenue"].sum() > 0
    assert (
        series(counter_store(runtime), account.id, "Viewed Page", start, end)["revenue"].sum() == 0
    )

    # The same seed again is the same messageIds: acknowledged, not counted twice.
    seed(runtime, account.id, events=3000, days=14, progress=False, end=END)
    with runtime.db.session() as s:
        assert (
            s.scalar(select(func.sum(Metric.count)).where(Metric.account_id == account.id)) == 3000
        )

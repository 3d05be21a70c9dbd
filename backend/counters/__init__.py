"""Time-bucketed counters: a CounterStore protocol (increment, read) and its backends."""

from backend.counters.base import CounterKey, CounterStore, Totals, hour_floor

__all__ = ["CounterKey", "CounterStore", "Totals", "hour_floor", "open_store"]


def open_store(settings) -> CounterStore:
    """The counter store the settings choose (TALLY_COUNTERS)."""
    if settings.counters == "cassandra":
        from backend.counters.cassandra import CassandraCounterStore

        return CassandraCounterStore.from_settings(settings)
    from backend.counters.sqlite import SqliteCounterStore

    return SqliteCounterStore(settings.counters_path)

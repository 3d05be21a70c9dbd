"""Time-bucketed counters: a CounterStore protocol (increment, read) and its backends."""

from backend.counters.base import CounterKey, CounterStore, Totals, hour_floor

__all__ = ["CounterKey", "CounterStore", "Totals", "counter_store", "hour_floor", "open_store"]


def open_store(settings) -> CounterStore:
    """The counter store the settings choose (TALLY_COUNTERS)."""
    if settings.counters == "cassandra":
        from backend.counters.cassandra import CassandraCounterStore

        return CassandraCounterStore.from_settings(settings)
    from backend.counters.sqlite import SqliteCounterStore

    return SqliteCounterStore(settings.counters_path)


def counter_store(runtime) -> CounterStore:
    """The runtime's counter store, opened once per process (ingest and analytics share it)."""
    return runtime.service("counters", lambda rt: open_store(rt.settings))

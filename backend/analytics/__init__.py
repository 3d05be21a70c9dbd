"""Metric queries and profile reads: pure functions that the /api endpoints and the Dash
dashboards both call (one data path, two renderings).

    from backend.analytics import counter_store, series, series_json
    df = series(counter_store(rt), account_id, "Placed Order", start, end, "day", "UTC")
"""

from backend.analytics.errors import InvalidQuery, NotFound
from backend.analytics.metrics import dimensions_of, list_metrics, metric_exists
from backend.analytics.profiles import find_profile, get_profile, list_profiles
from backend.analytics.series import OTHER_KEY, SeriesQuery, series, series_json
from backend.counters import counter_store

__all__ = [
    "OTHER_KEY",
    "InvalidQuery",
    "NotFound",
    "SeriesQuery",
    "counter_store",
    "dimensions_of",
    "find_profile",
    "get_profile",
    "list_metrics",
    "list_profiles",
    "metric_exists",
    "series",
    "series_json",
]

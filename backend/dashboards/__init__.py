"""Dashboards: JSON definitions (schema.py), their storage (service.py), the default
Overview (defaults.py), date-range presets (ranges.py) and the card queries (query.py), which
call backend.analytics.series like GET /api/metrics/<name>/series does.

    from backend.dashboards import card_data, service
"""

from backend.dashboards import ranges, schema, service
from backend.dashboards.query import CardData, bucket_range, card_data, dashboard_data
from backend.dashboards.schema import DashboardInvalid
from backend.dashboards.service import DashboardNotFound

__all__ = [
    "CardData",
    "DashboardInvalid",
    "DashboardNotFound",
    "bucket_range",
    "card_data",
    "dashboard_data",
    "ranges",
    "schema",
    "service",
]

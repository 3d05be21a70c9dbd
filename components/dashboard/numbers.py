"""Numbers for people: 1.2M, 34.5K, $3,400, +12%. One implementation, shared with the
reports (backend/reports/text.py), so a PDF reads exactly like the page."""

from backend.reports.text import change, full, human

__all__ = ["change", "full", "human"]

"""The "Overview" dashboard every new account starts with (metric names the storefront
snippet, the demo store and common Segment sources send)."""

from __future__ import annotations

OVERVIEW_NAME = "Overview"


def overview() -> dict:
    def c(cid, title, metric, chart, x, y, w, h, **kw):
        return {
            "id": cid,
            "title": title,
            "metric": metric,
            "chart": chart,
            "x": x,
            "y": y,
            "w": w,
            "h": h,
            **kw,
        }

    return {
        "name": OVERVIEW_NAME,
        "filters": {"range": "last_30_days", "country": None},
        "cards": [
            c(
                "revenue",
                "Revenue",
                "Placed Order",
                "number",
                0,
                0,
                3,
                1,
                measure="revenue",
                compare=True,
            ),
            c("orders", "Orders", "Placed Order", "number", 3, 0, 3, 1, compare=True),
            c("form-submits", "Form submits", "Submitted Form", "number", 6, 0, 3, 1, compare=True),
            c("email-opens", "Email opens", "Opened Email", "number", 9, 0, 3, 1, compare=True),
            c(
                "revenue-by-day",
                "Revenue by day",
                "Placed Order",
                "line",
                0,
                1,
                8,
                2,
                measure="revenue",
                compare=True,
            ),
            c(
                "orders-map",
                "Orders by country",
                "Placed Order",
                "map",
                8,
                1,
                4,
                2,
                by="country",
                top=100,
            ),
            c(
                "campaigns",
                "Top UTM campaigns",
                "Placed Order",
                "bar",
                0,
                3,
                6,
                2,
                by="utm_campaign",
                top=8,
            ),
            c("email-clicks", "Email clicks", "Clicked Email", "area", 6, 3, 6, 2, interval="week"),
        ],
    }

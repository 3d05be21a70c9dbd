"""The data gates: predictions are made only for accounts with enough order history that a
model fitted on it means something (the thresholds Klaviyo publishes for its own)."""

from __future__ import annotations

from backend.predictions.data import Customers

MIN_CUSTOMERS = 500  # profiles with at least one order
MIN_HISTORY_DAYS = 180  # from the first order to now
RECENT_DAYS = 30  # some order in the last this many days
MIN_REPEAT_CUSTOMERS = 10  # customers with three or more orders ("some")

TITLES = {
    "customers_with_orders": "Customers with orders",
    "history_days": "Order history",
    "recent_orders": "Recent orders",
    "repeat_customers": "Repeat customers",
}


def _n(value: int) -> str:
    return f"{value:,}"


def check(customers: Customers, today: int) -> list[dict]:
    """[{"name", "met", "detail"}] in the order Settings shows them."""
    n = len(customers)
    history = int(today - customers.first.min()) if n else 0
    recent = int((customers.last >= today - RECENT_DAYS).sum()) if n else 0
    repeaters = int((customers.orders >= 3).sum())
    # The spend model learns from repeat orders with a valid, positive revenue.
    priced = int((customers.repeat_x > 0).sum())
    left_out = customers.negative_revenue + customers.missing_revenue
    customer_detail = f"{_n(n)} customers with orders (needs {_n(MIN_CUSTOMERS)})"
    if left_out:
        customer_detail += (
            f"; {_n(left_out)} orders' revenue left out of spend "
            f"({_n(customers.negative_revenue)} negative, "
            f"{_n(customers.missing_revenue)} missing or not a number)"
        )
    return [
        {
            "name": "customers_with_orders",
            "met": n >= MIN_CUSTOMERS,
            "detail": customer_detail,
        },
        {
            "name": "history_days",
            "met": history >= MIN_HISTORY_DAYS,
            "detail": f"{_n(history)} days of order history (needs {MIN_HISTORY_DAYS})",
        },
        {
            "name": "recent_orders",
            "met": recent > 0,
            "detail": f"{_n(recent)} customers ordered in the last {RECENT_DAYS} days (needs 1)",
        },
        {
            "name": "repeat_customers",
            "met": repeaters >= MIN_REPEAT_CUSTOMERS and priced >= MIN_REPEAT_CUSTOMERS,
            "detail": f"{_n(repeaters)} customers with 3 or more orders "
            f"(needs {MIN_REPEAT_CUSTOMERS})"
            + (
                ""
                if priced >= MIN_REPEAT_CUSTOMERS
                else f"; only {_n(priced)} repeat customers with a valid revenue on a repeat "
                f"order (needs {MIN_REPEAT_CUSTOMERS}, for the spend model)"
            ),
        },
    ]

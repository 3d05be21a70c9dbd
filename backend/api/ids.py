"""The `int` URL converter of every route: only ids the store can hold."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter


class StoreId(IntegerConverter):
    """<int:...> of at most 18 digits, below 2**63 (BIGINT, SQLite's INTEGER). A longer id
    matches no rule (a JSON 404); it used to reach the database driver and fail there with a
    500 (tests/api/test_api_fuzz.py). A digit limit, not `max`: werkzeug tries the rules of a
    path by method before it converts, so a value refused by `max` made a 405 for the
    methods the path has other rules for."""

    regex = r"\d{1,18}"

"""/api read endpoints: metrics, series and profiles (Bearer private key).

Each view unpacks the request, calls one backend.analytics function and renders its JSON;
the dashboards call the same functions.
"""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from backend import analytics
from backend.analytics.series import run
from backend.api.auth import require
from backend.api.context import account_id, runtime
from backend.api.errors import ApiError
from backend.api.openapi import register_paths

bp = Blueprint("read_api", __name__, url_prefix="/api")


@bp.get("/metrics")
@require("private")
def metrics():
    with runtime().db.session() as s:
        return jsonify({"metrics": analytics.list_metrics(s, account_id())})


@bp.get("/metrics/<path:name>/series")
@require("private")
def metric_series(name: str):
    acc = account_id()
    q = analytics.SeriesQuery.from_params(request.args)
    with runtime().db.session() as s:
        if not analytics.metric_exists(s, acc, name):
            raise ApiError(404, f"no metric {name!r} in this account")
        dims = analytics.dimensions_of(s, acc)
    if q.by is not None and q.by not in dims:
        raise ApiError(
            400, f"by: unknown dimension {q.by!r}; use one of {', '.join(dims)}", param="by"
        )
    df = run(analytics.counter_store(runtime()), acc, name, q)
    return jsonify(analytics.series_json(name, q.interval, df))


def _int_arg(name: str, default: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit():
        raise ApiError(400, f"{name}: must be a non-negative integer, not {raw!r}", param=name)
    return int(raw)


@bp.get("/profiles")
@require("private")
def profiles():
    email = request.args.get("email")
    with runtime().db.session() as s:
        if email is not None:
            found = analytics.find_profile(s, account_id(), email)
            if found is None:
                raise ApiError(404, "no profile with this email in this account")
            return jsonify(found)
        page = analytics.list_profiles(
            s,
            account_id(),
            search=request.args.get("q", ""),
            offset=_int_arg("offset", 0),
            limit=_int_arg("limit", 50),
        )
        return jsonify(page)


@bp.get("/profiles/<int:profile_id>")
@require("private")
def profile(profile_id: int):
    with runtime().db.session() as s:
        found = analytics.get_profile(s, account_id(), profile_id)
    if found is None:
        raise ApiError(404, f"no profile {profile_id} in this account")
    return jsonify(found)


def _q(name: str, description: str, **schema) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "schema": {"type": "string", **schema},
    }


def _op(summary: str, parameters: list | None = None) -> dict:
    err = {
        "description": "error",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    return {
        "summary": summary,
        "security": [{"bearer": []}],
        "parameters": parameters or [],
        "responses": {"200": {"description": "success"}, "400": err, "401": err, "404": err},
    }


register_paths(
    {
        "/api/metrics": {"get": _op("The account's metrics: name, count, first_seen, last_seen")},
        "/api/metrics/<name>/series": {
            "get": _op(
                "Counts and revenue per hour|day|week|month bucket in a time zone; with `by`, the "
                f"top values as series, the rest summed under key {analytics.OTHER_KEY!r}, and "
                "events without a value under key null",
                [
                    _q(
                        "start",
                        "first day, YYYY-MM-DD, inclusive (default: end - 29 days)",
                        format="date",
                    ),
                    _q(
                        "end",
                        "last day, YYYY-MM-DD, inclusive (default: today in tz)",
                        format="date",
                    ),
                    _q(
                        "interval",
                        "bucket size (default day)",
                        enum=["hour", "day", "week", "month"],
                    ),
                    _q("tz", "IANA time zone of the days and buckets (default UTC)"),
                    _q("by", "a dimension: country or one the account counts"),
                    _q("top", "how many values of `by` get their own series (1-100, default 10)"),
                    _q(
                        "measure", "ranks the top values (default count)", enum=["count", "revenue"]
                    ),
                ],
            )
        },
        "/api/profiles": {
            "get": _op(
                "With ?email=: that profile (traits, country, lists, recent events); without: a page "
                "of profiles",
                [
                    _q("email", "the profile's e-mail address"),
                    _q("q", "search in e-mail addresses and user ids"),
                    _q("offset", "paging offset (default 0)"),
                    _q("limit", "page size, 1-200 (default 50)"),
                ],
            )
        },
        "/api/profiles/<int:profile_id>": {
            "get": _op("A profile: traits, country, lists, first/last seen, its 50 newest events")
        },
    }
)

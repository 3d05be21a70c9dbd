"""/api/predictions: the account's fit (status, gates, model, backtest) and refresh."""

from __future__ import annotations

from flask import Blueprint, jsonify

from backend.api.auth import require
from backend.api.context import account_id, runtime
from backend.api.openapi import register_paths
from backend.predictions import service

bp = Blueprint("predictions_api", __name__, url_prefix="/api/predictions")


@bp.get("")
@require("private")
def get_predictions():
    service.reap(runtime().db, account_id())  # a fit whose process died shows as failed
    with runtime().db.session() as s:
        return jsonify(service.status(s, account_id()))


@bp.post("/refresh")
@require("private")
def refresh():
    service.request_refresh(runtime().db, account_id())
    with runtime().db.session() as s:
        return jsonify(service.status(s, account_id())), 202


def _op(summary: str, ok: str) -> dict:
    err = {
        "description": "error",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    return {
        "summary": summary,
        "security": [{"bearer": []}],
        "parameters": [],
        "responses": {ok: {"description": "success"}, "401": err, "409": err},
    }


register_paths(
    {
        "/api/predictions": {
            "get": _op(
                "The account's CLV and churn predictions: status (not_fitted | fitting | ready | "
                "not_enough_data), fitted_at, customers, the data gates with their figures, the "
                "model's parameters, the holdout backtest and, while fitting, progress",
                "200",
            )
        },
        "/api/predictions/refresh": {
            "post": _op(
                "Fit the predictions now in the jobs process (202); 409 while a fit is running",
                "202",
            )
        },
    }
)

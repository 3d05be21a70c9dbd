"""JSON errors for the API doors; no stack trace ever reaches a response."""

from __future__ import annotations

import logging

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException

from backend.errors import TallyError
from backend.ingest.errors import SpoolUnavailable
from backend.store.db import is_unavailable

log = logging.getLogger("tally.api")

API_PREFIXES = ("/api/", "/v1/", "/client/")


class ApiError(Exception):
    """Raise from a view to answer `{"error": message}` with `status`."""

    def __init__(self, status: int, message: str, **extra):
        super().__init__(message)
        self.status = status
        self.message = message
        self.extra = extra


def error_response(status: int, message: str, **extra):
    body = {"error": message, **extra}
    if request.path.startswith("/v1/"):
        body = {"success": False, **body}
    resp = jsonify(body)
    resp.status_code = status
    if status == 401 and request.path.startswith("/v1/"):
        resp.headers["WWW-Authenticate"] = 'Basic realm="tally"'
    if status == 503:
        resp.headers["Retry-After"] = "5"  # SDKs retry with the same messageIds: no doubles
    return resp


def _is_api() -> bool:
    return request.path.startswith(API_PREFIXES) or request.path == "/embed.js"


def register(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        return error_response(exc.status, exc.message, **exc.extra)

    @app.errorhandler(TallyError)
    def _tally_error(exc: TallyError):
        # NotFound -> 404, Invalid -> 400 (with its problems), Conflict -> 409: backend/errors.py
        return error_response(exc.status, exc.message, **exc.extra)

    @app.errorhandler(SpoolUnavailable)
    def _spool_unavailable(exc: SpoolUnavailable):
        # /v1 and the storefront's form submissions alike: nothing was accepted, retry.
        return error_response(503, str(exc))

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if not _is_api():
            return exc
        message = {
            404: "not found: check the path against /api/openapi.json",
            405: f"method {request.method} is not allowed here",
            413: "request too large",
        }.get(exc.code or 500, exc.description or exc.name)
        resp = error_response(exc.code or 500, message)
        allowed = getattr(exc, "valid_methods", None)
        if exc.code == 405 and allowed:
            resp.headers["Allow"] = ", ".join(sorted(allowed))
        return resp

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        if is_unavailable(exc):
            # Down or busy, not a bug: the request's transaction rolled back, so a retry
            # (Retry-After) is safe; SDKs retry a 503 with the same messageIds.
            log.warning("database unavailable on %s %s", request.method, request.path, exc_info=exc)
            message = "the database is not answering; nothing was changed: retry in a few seconds"
            if _is_api():
                return error_response(503, message)
            return message[0].upper() + message[1:] + ".", 503, {"Retry-After": "5"}
        log.exception("unhandled error on %s %s", request.method, request.path)
        if _is_api():
            return error_response(500, "internal error; it has been logged")
        return "Internal error; it has been logged.", 500

"""/v1: Segment-compatible ingestion. 200 {"success": true} only once messages are durable."""

from __future__ import annotations

import zlib

from flask import Blueprint, Response, request

from backend.api.auth import write_key_account
from backend.api.context import runtime
from backend.api.errors import ApiError
from backend.api.openapi import register_paths
from backend.ingest import ingestor
from backend.ingest.validate import MAX_REQUEST_BYTES

bp = Blueprint("ingest_api", __name__, url_prefix="/v1")
_SUCCESS = b'{"success":true}\n'  # encoded once: this answer is sent ~500 times a second


def _ingest(kind: str):
    account_id = write_key_account()
    length = request.content_length
    if length is not None and length > MAX_REQUEST_BYTES:
        raise ApiError(413, f"request larger than {MAX_REQUEST_BYTES // 1024} KB")
    body = _body(length)
    if request.headers.get("Content-Encoding", "").lower() == "gzip":
        body = _gunzip(body)
    # InvalidMessage answers 400 and TooLarge 413 (backend/api/errors.py), with nothing spooled.
    ingestor(runtime()).accept_body(account_id, kind, body, request.remote_addr)
    return Response(_SUCCESS, mimetype="application/json")


def _body(length: int | None) -> bytes:
    stream = request.environ.get("wsgi.input")
    if length is not None and stream is not None:
        # One read of the known length: werkzeug's 64 KB chunk loop and copies were ~4% of
        # a 500-message request. A short body (client gone) reads short and fails to parse.
        return stream.read(length)
    return request.get_data(cache=False)


def _gunzip(body: bytes) -> bytes:
    # Segment SDKs may gzip; cap the inflated size so a zip bomb cannot exhaust memory.
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(body, MAX_REQUEST_BYTES + 1)
    except zlib.error:
        raise ApiError(400, "body: Content-Encoding is gzip but the body is not gzip") from None
    if len(out) > MAX_REQUEST_BYTES or inflater.unconsumed_tail:
        raise ApiError(413, f"request larger than {MAX_REQUEST_BYTES // 1024} KB")
    return out


@bp.post("/track")
def track():
    return _ingest("track")


@bp.post("/identify")
def identify():
    return _ingest("identify")


@bp.post("/page")
def page():
    return _ingest("page")


@bp.post("/screen")
def screen():
    return _ingest("screen")


@bp.post("/batch")
def batch():
    return _ingest("batch")


@bp.post("/import")
def import_():
    # Segment's older SDKs post batches to /v1/import.
    return _ingest("batch")


_OP = {
    "security": [{"basic": []}],
    "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
    "responses": {
        "200": {"description": 'durably accepted: {"success": true}'},
        "400": {"description": "malformed JSON or message; the error names it"},
        "401": {"description": "missing, unknown or revoked write key"},
        "413": {"description": "over 32 KB per message or 500 KB per request"},
        "503": {
            "description": "the spool could not store it (e.g. disk full): nothing "
            "accepted; retry after Retry-After seconds"
        },
    },
}
register_paths(
    {
        f"/v1/{name}": {"post": {**_OP, "summary": summary}}
        for name, summary in {
            "track": "Record an event (Segment track)",
            "identify": "Identify a profile and set traits (Segment identify)",
            "page": "Record a page view (Segment page)",
            "screen": "Record a screen view (Segment screen)",
            "batch": 'Several messages at once: {"batch": [...]} (Segment batch)',
            "import": "Alias of /v1/batch for older SDKs",
        }.items()
    }
)

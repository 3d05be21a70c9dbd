"""/api/lists: lists, their members (cursor pages, add, remove), CSV imports with their
progress and rejected rows, and the streamed CSV export (docs/api.md, "Lists"). The
console's downloads (logged in) are web_bp's /lists/<id>/export.csv and rejected.csv."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request, stream_with_context

from backend.api.admin import json_body
from backend.api.auth import require
from backend.api.context import account_id, runtime
from backend.api.errors import ApiError
from backend.api.openapi import register_paths
from backend.errors import Invalid
from backend.lists import bulk, imports, members, service

bp = Blueprint("lists_api", __name__, url_prefix="/api/lists")
web_bp = Blueprint("lists_web", __name__)


@bp.get("")
@require("private")
def list_lists():
    with runtime().db.session() as s:
        return jsonify({"lists": service.list_lists(s, account_id())})


@bp.post("")
@require("private")
def create_list():
    body = json_body()
    with runtime().db.session() as s:
        lst = service.create(s, account_id(), body)
        return jsonify(service.to_json(lst, 0)), 201


@bp.get("/<int:list_id>")
@require("private")
def get_list(list_id: int):
    with runtime().db.session() as s:
        lst = service.get_list(s, account_id(), list_id)
        return jsonify(service.to_json(lst, service.member_count(s, lst.id)))


@bp.put("/<int:list_id>")
@require("private")
def rename_list(list_id: int):
    body = json_body()
    with runtime().db.session() as s:
        lst = service.rename(s, account_id(), list_id, body.get("name"))
        return jsonify(service.to_json(lst, service.member_count(s, lst.id)))


@bp.delete("/<int:list_id>")
@require("private")
def delete_list(list_id: int):
    with runtime().db.session() as s:
        service.delete(s, account_id(), list_id)
    return "", 204


def _page_args() -> tuple[int, int | None]:
    problems = []
    limit_text = request.args.get("limit", "100")
    limit = int(limit_text) if limit_text.isdigit() else 0
    if not 1 <= limit <= members.MAX_PAGE:
        problems.append(f"limit: must be a whole number from 1 to {members.MAX_PAGE}")
    name = "cursor" if "cursor" in request.args else "after"
    cursor_text = request.args.get(name)
    cursor = None
    if cursor_text is not None:
        if cursor_text.isdigit() and len(cursor_text) < 19:
            cursor = int(cursor_text)
        else:
            problems.append(f"{name}: must be the cursor from a previous page's next")
    if problems:
        raise Invalid(problems=problems)
    return limit, cursor


@bp.get("/<int:list_id>/members")
@require("private")
def list_members(list_id: int):
    limit, cursor = _page_args()
    with runtime().db.session() as s:
        return jsonify(members.page(s, account_id(), list_id, limit, cursor))


@bp.post("/<int:list_id>/members")
@require("private")
def add_members(list_id: int):
    return jsonify(bulk.add(runtime(), account_id(), list_id, json_body()))


@bp.delete("/<int:list_id>/members")
@require("private")
def remove_members(list_id: int):
    return jsonify(bulk.remove(runtime(), account_id(), list_id, json_body()))


def _consent_arg(raw: str | None) -> bool:
    text = (raw or "false").strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise Invalid(problems=["consent: must be true or false"])


@bp.post("/<int:list_id>/imports")
@require("private")
def start_import(list_id: int):
    """A CSV body (text/csv, ?consent=true) or a multipart form (file, consent)."""
    upload = request.files.get("file")
    if upload is not None:
        data, filename = upload.read(), upload.filename or "import.csv"
        consent = _consent_arg(request.form.get("consent", request.args.get("consent")))
    elif request.mimetype == "multipart/form-data":
        raise Invalid(problems=["file: the multipart form has no file field"])
    else:
        data, filename = request.get_data(), request.args.get("filename", "import.csv")
        consent = _consent_arg(request.args.get("consent"))
    import_id = imports.create(runtime(), account_id(), list_id, data, filename, consent)
    imports.start(runtime(), import_id)
    with runtime().db.session() as s:
        out = imports.to_json(s, imports.get(s, account_id(), list_id, import_id))
    return jsonify(out), 202


@bp.get("/<int:list_id>/imports/<int:import_id>")
@require("private")
def get_import(list_id: int, import_id: int):
    with runtime().db.session() as s:
        return jsonify(imports.to_json(s, imports.get(s, account_id(), list_id, import_id)))


def _csv(chunks, filename: str) -> Response:
    return Response(
        stream_with_context(chunks),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


def _export(account: str, list_id: int) -> Response:
    chunks = members.export_csv(runtime().db, account, list_id)
    first = next(chunks)  # raises NotFound (404) before the response starts
    return _csv(_prepend(first, chunks), f"list-{list_id}.csv")


def _prepend(first: str, rest):
    yield first
    yield from rest


def _rejected(account: str, list_id: int, import_id: int) -> Response:
    chunks = imports.rejected_csv(runtime().db, account, list_id, import_id)
    first = next(chunks)
    return _csv(_prepend(first, chunks), f"list-{list_id}-import-{import_id}-rejected.csv")


@bp.get("/<int:list_id>/export.csv")
@require("private")
def export(list_id: int):
    return _export(account_id(), list_id)


@bp.get("/<int:list_id>/imports/<int:import_id>/rejected.csv")
@require("private")
def rejected(list_id: int, import_id: int):
    return _rejected(account_id(), list_id, import_id)


def _console_account() -> str:
    from flask_login import current_user

    if not current_user.is_authenticated:
        raise ApiError(401, "log in to export")
    return current_user.account_id


@web_bp.get("/lists/<int:list_id>/export.csv")
def export_for_console(list_id: int):
    return _export(_console_account(), list_id)


@web_bp.get("/lists/<int:list_id>/imports/<int:import_id>/rejected.csv")
def rejected_for_console(list_id: int, import_id: int):
    return _rejected(_console_account(), list_id, import_id)


def _op(summary: str, ok: str = "200", extra: dict | None = None) -> dict:
    responses = {
        ok: {"description": "success"},
        "400": {"description": "invalid input: each problem names its field"},
        "401": {"description": "bad key"},
        "404": {"description": "no such list (or import) in this account"},
    }
    responses.update(extra or {})
    return {"summary": summary, "security": [{"bearer": []}], "responses": responses}


IN_USE = {"409": {"description": "used by a form, flow, segment or campaign (named)"}}
register_paths(
    {
        "/api/lists": {
            "get": _op("The account's lists with their member counts"),
            "post": _op(
                "Create a list",
                "201",
                {"409": {"description": "a list of that name exists"}},
            ),
        },
        "/api/lists/<int:list_id>": {
            "get": _op("A list and its member count"),
            "put": _op(
                "Rename a list", extra={**IN_USE, "409": {"description": "name taken, or in use"}}
            ),
            "delete": _op("Delete a list (its memberships go with it)", "204", IN_USE),
        },
        "/api/lists/<int:list_id>/members": {
            "get": _op("A page of members (limit, cursor); next is the following cursor"),
            "post": _op("Add members: emails or profile_ids, and consent"),
            "delete": _op("Remove members: emails or profile_ids"),
        },
        "/api/lists/<int:list_id>/imports": {
            "post": _op("Import a CSV (body or multipart file); runs in the background", "202")
        },
        "/api/lists/<int:list_id>/imports/<int:import_id>": {
            "get": _op("An import's progress, counts and first rejected rows")
        },
        "/api/lists/<int:list_id>/imports/<int:import_id>/rejected.csv": {
            "get": _op("Every row an import rejected, with its row number and reason, as CSV")
        },
        "/api/lists/<int:list_id>/export.csv": {"get": _op("The list's members as CSV, streamed")},
    }
)

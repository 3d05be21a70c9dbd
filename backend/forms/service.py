"""Forms of an account: create, edit (each save a version), publish, unpublish, duplicate,
delete. The API and the builder pages both call these functions."""

from __future__ import annotations

import copy

from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.errors import NotFound
from backend.forms.schema import validate
from backend.store.db import utcnow
from backend.store.form_models import Form, FormVersion
from backend.store.models import Account

# Form events carry the form id in this property; counting it as a dimension gives each
# form its views and submissions from the counters.
FORM_DIMENSION = "$form"


class FormNotFound(NotFound):
    pass


def _ensure_dimension(session: Session, account_id: str) -> None:
    account = session.get(Account, account_id)
    if account is not None and FORM_DIMENSION not in (account.dimensions or []):
        account.dimensions = [*(account.dimensions or []), FORM_DIMENSION]


def to_json(form: Form) -> dict:
    return {
        "id": form.id,
        **form.definition,
        "status": "live" if form.published is not None else "draft",
        "version": form.version,
        "published_version": form.published_version,
        "published_at": form.published_at.isoformat() + "Z" if form.published_at else None,
        "created_at": form.created_at.isoformat() + "Z",
        "updated_at": form.updated_at.isoformat() + "Z",
    }


def list_forms(session: Session, account_id: str) -> list[Form]:
    return list(
        session.scalars(select(Form).where(Form.account_id == account_id).order_by(Form.id))
    )


def get(session: Session, account_id: str, form_id: int) -> Form:
    form = session.get(Form, form_id)
    if form is None or form.account_id != account_id:
        raise FormNotFound(f"no form {form_id} in this account")
    return form


def create(session: Session, account_id: str, body: dict) -> Form:
    definition = validate(body)
    _ensure_dimension(session, account_id)
    form = Form(
        account_id=account_id,
        name=definition["name"],
        kind=definition["kind"],
        definition=definition,
        version=1,
    )
    session.add(form)
    session.flush()
    session.add(FormVersion(form_id=form.id, version=1, definition=definition))
    return form


def update(session: Session, account_id: str, form_id: int, body: dict) -> Form:
    form = get(session, account_id, form_id)
    definition = validate(body)
    if definition == form.definition:
        return form
    form.version += 1
    form.definition = definition
    form.name, form.kind = definition["name"], definition["kind"]
    form.updated_at = utcnow()
    session.add(FormVersion(form_id=form.id, version=form.version, definition=definition))
    return form


def publish(session: Session, account_id: str, form_id: int) -> Form:
    """Make the current draft version the live one."""
    form = get(session, account_id, form_id)
    _ensure_dimension(session, account_id)
    form.published = copy.deepcopy(form.definition)
    form.published_version = form.version
    form.published_at = utcnow()
    return form


def unpublish(session: Session, account_id: str, form_id: int) -> Form:
    form = get(session, account_id, form_id)
    form.published = None
    form.published_at = None
    return form


def duplicate(session: Session, account_id: str, form_id: int) -> Form:
    source = get(session, account_id, form_id)
    body = {**copy.deepcopy(source.definition), "name": f"{source.name} (copy)"[:200]}
    return create(session, account_id, body)


def delete(session: Session, account_id: str, form_id: int) -> None:
    session.delete(get(session, account_id, form_id))


def versions(session: Session, account_id: str, form_id: int) -> list[dict]:
    get(session, account_id, form_id)
    rows = session.scalars(
        select(FormVersion)
        .where(FormVersion.form_id == form_id)
        .order_by(FormVersion.version.desc())
    )
    return [
        {
            "version": v.version,
            "created_at": v.created_at.isoformat() + "Z",
            "definition": v.definition,
        }
        for v in rows
    ]


def live_forms(session: Session, account_id: str) -> list[tuple[int, int, dict]]:
    """(id, published version, published definition) of the account's live forms."""
    rows = session.scalars(
        select(Form)
        .where(Form.account_id == account_id, Form.published.is_not(None))
        .order_by(Form.id)
    )
    return [(f.id, f.published_version or 0, f.published) for f in rows if f.published is not None]


def live_form(session: Session, account_id: str, form_id: int) -> Form:
    form = get(session, account_id, form_id)
    if form.published is None:
        raise FormNotFound(f"form {form_id} is not published")
    return form

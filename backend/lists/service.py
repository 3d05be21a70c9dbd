"""An account's lists: create, rename, delete (refused while a form, flow, segment or
campaign names the list), duplicate, and their JSON. Forms, flows, segments and campaigns
refer to a list by its name, so renaming one in use is refused too: they would lose it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, insert, literal, select
from sqlalchemy.orm import Session

from backend.errors import Conflict, Invalid, NotFound
from backend.lists import growth
from backend.store.campaign_models import Campaign
from backend.store.db import utcnow
from backend.store.flow_models import Flow
from backend.store.form_models import Form
from backend.store.models import List, ListMember
from backend.store.segment_models import Segment

NAME_MAX = 200


class ListNotFound(NotFound):
    pass


def get_list(s: Session, account_id: str, list_id: int) -> List:
    lst = s.get(List, list_id)
    if lst is None or lst.account_id != account_id:
        raise ListNotFound(f"no list {list_id} in this account")
    return lst


def member_count(s: Session, list_id: int) -> int:
    return s.scalar(select(func.count()).where(ListMember.list_id == list_id)) or 0


def list_lists(s: Session, account_id: str) -> list[dict]:
    """Every list of the account with its member count, by name."""
    counts = dict(
        s.execute(
            select(ListMember.list_id, func.count())
            .join(List, List.id == ListMember.list_id)
            .where(List.account_id == account_id)
            .group_by(ListMember.list_id)
        ).all()
    )
    lists = s.scalars(select(List).where(List.account_id == account_id).order_by(List.name))
    return [to_json(lst, counts.get(lst.id, 0)) for lst in lists]


def to_json(lst: List, members: int) -> dict:
    return {
        "id": lst.id,
        "name": lst.name,
        "members": members,
        "created_at": lst.created_at.isoformat() + "Z",
    }


def _name(raw: Any) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise Invalid(problems=["name: must be a non-empty text"])
    name = raw.strip()
    if len(name) > NAME_MAX:
        raise Invalid(problems=[f"name: at most {NAME_MAX} characters"])
    return name


def _free(s: Session, account_id: str, name: str, but: int | None = None) -> None:
    other = s.scalar(select(List.id).where(List.account_id == account_id, List.name == name))
    if other is not None and other != but:
        raise Conflict(f'a list named "{name}" already exists', field="name")


def create(s: Session, account_id: str, body: dict) -> List:
    name = _name(body.get("name"))
    _free(s, account_id, name)
    lst = List(account_id=account_id, name=name)
    s.add(lst)
    s.flush()
    return lst


def _mentions(obj: Any, name: str) -> bool:
    """Whether a definition names the list: {"list": NAME} anywhere (a form's list, a list
    trigger or condition, an add-to-list step) or NAME in "lists"/"exclude_lists"."""
    if isinstance(obj, dict):
        if obj.get("list") == name:
            return True
        for key in ("lists", "exclude_lists"):
            if isinstance(obj.get(key), list) and name in obj[key]:
                return True
        return any(_mentions(v, name) for v in obj.values())
    if isinstance(obj, list):
        return any(_mentions(v, name) for v in obj)
    return False


def users(s: Session, account_id: str, name: str) -> list[str]:
    """What names the list, as words: 'form "Newsletter"', 'flow "Welcome"', ..."""
    out = []
    for form in s.scalars(select(Form).where(Form.account_id == account_id)):
        if _mentions([form.definition, form.published], name):
            out.append(f'form "{form.name}"')
    for kind, model, field in (
        ("flow", Flow, "definition"),
        ("segment", Segment, "definition"),
        ("campaign", Campaign, "audience"),
    ):
        for thing in s.scalars(select(model).where(model.account_id == account_id)):
            if _mentions(getattr(thing, field), name):
                out.append(f'{kind} "{thing.name}"')
    return out


def _refuse_if_used(s: Session, lst: List, doing: str) -> None:
    used_by = users(s, lst.account_id, lst.name)
    if used_by:
        raise Conflict(
            f'list "{lst.name}" is used by {", ".join(used_by)}: change them first, then '
            f"{doing} it",
            used_by=used_by,
        )


def rename(s: Session, account_id: str, list_id: int, raw_name: Any) -> List:
    lst = get_list(s, account_id, list_id)
    name = _name(raw_name)
    if name == lst.name:
        return lst
    _free(s, account_id, name, but=lst.id)
    _refuse_if_used(s, lst, "rename")
    lst.name = name
    return lst


def delete(s: Session, account_id: str, list_id: int) -> None:
    lst = get_list(s, account_id, list_id)
    _refuse_if_used(s, lst, "delete")
    s.delete(lst)


def duplicate(s: Session, account_id: str, list_id: int) -> List:
    """A copy with the same members (one INSERT ... SELECT), named "NAME copy" (2, 3...)."""
    lst = get_list(s, account_id, list_id)
    base, n = f"{lst.name} copy"[:NAME_MAX], 1
    name = base
    while s.scalar(select(List.id).where(List.account_id == account_id, List.name == name)):
        n += 1
        name = f"{base} {n}"
    copy = List(account_id=account_id, name=name)
    s.add(copy)
    s.flush()
    now = utcnow()
    src = select(
        literal(copy.id),
        ListMember.profile_id,
        ListMember.consent_at,
        literal(now, ListMember.created_at.type),
    ).where(ListMember.list_id == lst.id)
    s.execute(
        insert(ListMember).from_select(["list_id", "profile_id", "consent_at", "created_at"], src)
    )
    growth.record(s, copy.id, "copy", joins=member_count(s, copy.id), at=now)
    return copy

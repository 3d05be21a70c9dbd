"""Campaign tests: an account with subscribed people on lists, a real SMTP server (aiosmtpd)
on loopback, and the real sender over the real SMTP pool."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from backend.store.models import List, ListMember, Profile
from tests.smtp import running_inbox


def bearer(acc) -> dict:
    return {"Authorization": f"Bearer {acc.private_key}"}


def add_people(
    runtime,
    account_id: str,
    n: int,
    list_name: str,
    *,
    prefix="p",
    status="subscribed",
    domain="example.com",
    start=0,
) -> list[int]:
    """n profiles (prefix0@domain ...) with an e-mail status, members of `list_name`."""
    with runtime.db.session() as s:
        lst = s.scalar(select(List).where(List.account_id == account_id, List.name == list_name))
        if lst is None:
            lst = List(account_id=account_id, name=list_name)
            s.add(lst)
            s.flush()
        profiles = [
            Profile(
                account_id=account_id,
                email=f"{prefix}{i}@{domain}",
                traits={"first_name": f"Name{i}"},
                email_status=status,
            )
            for i in range(start, start + n)
        ]
        s.add_all(profiles)
        s.flush()
        s.add_all(ListMember(list_id=lst.id, profile_id=p.id) for p in profiles)
        return [p.id for p in profiles]


def campaign_body(**over) -> dict:
    body = {
        "name": "Black Friday",
        "subject": "Hi {{ first_name }}, 30% off today",
        "preview_text": "Everything, until midnight",
        "body": "Hello {{ first_name }},\n\nShop now: https://shop.example/bf",
        "audience": {
            "lists": ["Newsletter"],
            "segments": [],
            "exclude_lists": [],
            "exclude_segments": [],
        },
    }
    body.update(over)
    return body


@pytest.fixture
def inbox():
    with running_inbox() as box:
        yield box

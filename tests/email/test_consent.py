"""Joining a list with consent (a form's box, a double opt-in confirmation) subscribes a
profile that never was; it never overrides an unsubscribe, a bounce or a complaint."""

from __future__ import annotations

import pytest

from backend import lists
from backend.store.db import utcnow
from backend.store.models import Profile

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


def test_consent_subscribes_only_who_never_was(db):
    from backend.accounts.service import create_account

    with db.session() as s:
        acc = create_account(s, "Shop").id
        people = {
            status: Profile(account_id=acc, email=f"{status}@x.test", email_status=status)
            for status in ("never_subscribed", "unsubscribed", "bounced", "complained")
        }
        quiet = Profile(account_id=acc, email="quiet@x.test")
        s.add_all([*people.values(), quiet])
        s.flush()
        for p in people.values():
            lists.join(s, acc, "Newsletter", p, consent_at=utcnow())
        lists.join(s, acc, "Newsletter", quiet)  # no consent given
    with db.session() as s:
        found = {p.email: (p.email_status, p.email_status_reason) for p in s.query(Profile)}
    assert found["never_subscribed@x.test"] == ("subscribed", "consented joining Newsletter")
    for status in ("unsubscribed", "bounced", "complained"):
        assert found[f"{status}@x.test"][0] == status
    assert found["quiet@x.test"][0] == "never_subscribed"

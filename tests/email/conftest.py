"""E-mail tests run the app with e-mail settings on and a real SMTP server on loopback."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import make_settings
from tests.smtp import running_inbox


@pytest.fixture
def inbox():
    with running_inbox() as box:
        yield box


@pytest.fixture
def settings(tmp_path, db_url, inbox):
    return make_settings(
        tmp_path,
        db_url,
        TALLY_SMTP_URL=inbox.url,
        TALLY_PUBLIC_URL="https://tally.acme.test",
        TALLY_BOUNCE_DOMAIN="bounce.acme.test",
    )


@pytest.fixture
def shopper(runtime, account):
    """A subscribed profile of the account, on the list "Newsletter"."""
    from backend.store.models import List, ListMember, Profile

    with runtime.db.session() as s:
        p = Profile(
            account_id=account.id,
            email="ann@example.com",
            traits={"first_name": "Ann"},
            email_status="subscribed",
        )
        lst = List(account_id=account.id, name="Newsletter")
        s.add_all([p, lst])
        s.flush()
        s.add(ListMember(list_id=lst.id, profile_id=p.id))
        return p.id


def stored_events(runtime, metric: str | None = None) -> list:
    from backend.ingest import ingestor
    from backend.store.models import Event

    ingestor(runtime).drain()
    with runtime.db.session() as s:
        q = select(Event).order_by(Event.id)
        if metric:
            q = q.where(Event.metric == metric)
        return [(e.metric, e.profile_id, dict(e.properties)) for e in s.scalars(q)]


def profile_of(runtime, pid: int):
    from backend.store.models import Profile

    with runtime.db.session() as s:
        p = s.get(Profile, pid)
        s.expunge(p)
        return p

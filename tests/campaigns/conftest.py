"""Campaign tests: an account with subscribed people on lists, a real SMTP server (aiosmtpd)
on loopback, and the real sender over the real SMTP pool."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from backend.store.db import utcnow
from backend.store.models import List, ListMember, Profile
from tests.conftest import make_settings
from tests.live_server import free_port
from tests.smtp import Inbox, running_inbox


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


class Picky(Inbox):
    """An SMTP server that refuses some recipients for good (550), like a real one, and
    offers PIPELINING as Postfix does (aiosmtpd reads pipelined commands in order but does
    not say so), so the sender streams to it (backend/campaigns/stream.py)."""

    def __init__(self, pipelining: bool = True):
        super().__init__()
        self.pipelining = pipelining

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802
        session.host_name = hostname
        if self.pipelining:
            responses.insert(1, "250-PIPELINING")
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address.startswith("refused"):
            return "550 5.1.1 no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"


class Server:
    """An aiosmtpd server on a fixed port that can be stopped and started again."""

    def __init__(self, handler: Inbox):
        self.handler = handler
        self.port = free_port()
        self.handler.url = f"smtp://127.0.0.1:{self.port}?from=shop@acme.test"
        self.controller = None

    def start(self) -> None:
        from aiosmtpd.controller import Controller

        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        self.controller.stop()


@pytest.fixture
def smtp():
    server = Server(Picky())
    server.start()
    yield server
    try:
        server.stop()
    except Exception:
        pass


@pytest.fixture
def settings(tmp_path, db_url, smtp):
    return make_settings(tmp_path, db_url, TALLY_SMTP_URL=smtp.handler.url)


class Clock:
    """Real time, which a test may move ahead (past an A/B wait, a retry time)."""

    def __init__(self):
        self.offset = timedelta()

    @property
    def now(self):
        return utcnow() + self.offset

    def __call__(self):
        return self.now

    def advance(self, **kw) -> None:
        self.offset += timedelta(**kw)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def make_sender(runtime, clock):
    made = []

    def make(**limits):
        from backend.campaigns.limits import Limits
        from backend.campaigns.runner import build_sender

        sender = build_sender(runtime, Limits(**limits), clock=clock)
        made.append(sender)
        return sender

    yield make
    for sender in made:
        sender.close()
        if sender.pool is not None:
            sender.pool.close()

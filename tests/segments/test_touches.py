"""Changes that arrive without an event reach segments within one watcher step: an
unsubscribe (the one-click POST of a sent e-mail's List-Unsubscribe) and a hard bounce (a
delivery status notification to the bounce listener) each move a profile out of a segment
on e-mail status; the touches are deleted once applied."""

from __future__ import annotations

import smtplib
from datetime import timedelta
from urllib.parse import urlparse

import pytest
from sqlalchemy import func, select

from backend.email.compose import EmailContext, compose
from backend.email.listener import controller
from backend.segments.live import Watcher
from backend.store.models import Profile
from backend.store.touch_models import ProfileTouch
from tests.conftest import make_settings
from tests.email.reports import dsn
from tests.live_server import free_port
from tests.segments.conftest import make_shop
from tests.smtp import running_inbox


@pytest.fixture
def mail_shop(tmp_path, db_url):
    from app import create_app

    with running_inbox() as inbox:
        settings = make_settings(
            tmp_path,
            db_url,
            TALLY_SMTP_URL=inbox.url,
            TALLY_PUBLIC_URL="https://tally.acme.test",
            TALLY_BOUNCE_DOMAIN="bounce.acme.test",
        )
        app = create_app(settings, ui=False)
        yield make_shop(app)
        app.extensions["tally"].close()


def _outgoing(shop, email: str):
    """The e-mail Tally would send this profile (its unsubscribe link, its VERP sender)."""
    with shop.rt.db.session() as s:
        p = s.scalar(select(Profile).where(Profile.email == email))
        return compose(
            EmailContext.for_account(shop.rt, shop.account.id),
            p,
            subject="Hello",
            body="Hi",
            source={"flow": 1, "node": "hello"},
        )


def _unsubscribe_path(out) -> str:
    header = out.msg["List-Unsubscribe"].strip("<>")
    return urlparse(header).path


def _members(shop, sid: int) -> list[str]:
    page = shop.client.get(f"/api/segments/{sid}/members", headers=shop.h).json
    return sorted(m["external_id"] for m in page["members"])


def _touches(shop) -> int:
    with shop.rt.db.session() as s:
        return s.scalar(select(func.count()).select_from(ProfileTouch))


def test_an_unsubscribe_and_a_bounce_leave_an_email_status_segment_in_one_step(mail_shop):
    shop = mail_shop
    for who in ("ann", "bob", "cat"):
        shop.send("identify", {"userId": who, "traits": {"email": f"{who}@example.com"}})
    shop.drain()
    mailable = {"type": "email_status", "in": ["never_subscribed", "subscribed"]}
    r = shop.client.post(
        "/api/segments", json={"name": "Mailable", "conditions": [[mailable]]}, headers=shop.h
    )
    sid = r.json["id"]
    assert r.json["count"] == 3
    watcher = Watcher(shop.rt.db, full_every=timedelta(days=365))  # no safety net here
    watcher.step()

    # ann follows the one-click unsubscribe of an e-mail she got.
    path = _unsubscribe_path(_outgoing(shop, "ann@example.com"))
    r = shop.client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert r.status_code == 200
    assert _touches(shop) == 1
    assert watcher.step() == 1
    assert _members(shop, sid) == ["bob", "cat"]
    assert _touches(shop) == 0

    # bob's mailbox does not exist: the receiving server's report reaches the listener.
    out = _outgoing(shop, "bob@example.com")
    port = free_port()
    ctl = controller(shop.rt, "127.0.0.1", port)
    ctl.start()
    try:
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
            smtp.sendmail("MAILER-DAEMON@mx.example.com", [out.mail_from], dsn("5.1.1"))
    finally:
        ctl.stop()
    assert watcher.step() == 1
    assert _members(shop, sid) == ["cat"]
    assert shop.client.get(f"/api/segments/{sid}", headers=shop.h).json["count"] == 1
    assert _touches(shop) == 0
    assert watcher.step() == 0  # applied once, not again


def test_a_merge_bumps_the_generation_and_re_evaluates_the_known_profile(db_url, tmp_path):
    from app import create_app
    from backend.store.touches import generation

    app = create_app(make_settings(tmp_path, db_url), ui=False)
    try:
        shop = make_shop(app)
        shop.send("identify", {"userId": "ann", "traits": {"email": "ann@example.com"}})
        shop.send("track", {"anonymousId": "dev-1", "event": "Placed Order"})
        shop.drain()
        buyers = {"type": "metric", "metric": "Placed Order", "op": "gte", "value": 1}
        r = shop.client.post(
            "/api/segments", json={"name": "Buyers", "conditions": [[buyers]]}, headers=shop.h
        )
        sid = r.json["id"]
        assert r.json["count"] == 1  # the anonymous visitor
        watcher = Watcher(shop.rt.db, full_every=timedelta(days=365))
        watcher.step()
        with shop.rt.db.session() as s:
            before = generation(s, shop.account.id)
        # The visitor logs in as ann: the order moves to ann's profile.
        shop.send("identify", {"userId": "ann", "anonymousId": "dev-1"})
        shop.drain()
        with shop.rt.db.session() as s:
            assert generation(s, shop.account.id) == before + 1
        watcher.step()
        assert _members(shop, sid) == ["ann"]
        assert _touches(shop) == 0
    finally:
        app.extensions["tally"].close()

"""The bounce listener, a real aiosmtpd server on loopback fed by smtplib: a hard bounce
or a complaint suppresses and records its event, three soft bounces in a row do too; an
unknown VERP token or mail that is no report is accepted and changes nothing; oversized
mail is refused with 552."""

from __future__ import annotations

import smtplib
from contextlib import contextmanager

import pytest
from sqlalchemy import select

from backend.email.compose import EmailContext, compose
from backend.email.listener import MAX_BYTES, controller
from backend.store.email_models import EmailBounce
from tests.email.conftest import profile_of, stored_events
from tests.email.reports import arf, dsn
from tests.live_server import free_port

SOURCE = {"flow": 5, "node": "hello"}


@contextmanager
def listener(runtime):
    port = free_port()
    ctl = controller(runtime, "127.0.0.1", port)
    ctl.start()
    try:
        yield port
    finally:
        ctl.stop()


def deliver(port: int, rcpt: str, raw: bytes) -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        smtp.sendmail("MAILER-DAEMON@mx.example.com", [rcpt], raw)


def sent_to(runtime, account, pid):
    from backend.store.models import Profile

    with runtime.db.session() as s:
        return compose(
            EmailContext.for_account(runtime, account.id),
            s.get(Profile, pid),
            subject="Hello",
            body="Hi",
            source=SOURCE,
        )


def bounces(runtime) -> list[tuple[str, str | None]]:
    with runtime.db.session() as s:
        return [(b.kind, b.status) for b in s.scalars(select(EmailBounce).order_by(EmailBounce.id))]


def test_a_hard_bounce_to_the_verp_address_suppresses_and_records_it(runtime, account, shopper):
    out = sent_to(runtime, account, shopper)
    with listener(runtime) as port:
        deliver(port, out.mail_from, dsn("5.1.1"))
        deliver(port, out.mail_from, dsn("5.1.1"))  # a second copy changes nothing more
    p = profile_of(runtime, shopper)
    assert p.email_status == "bounced" and "5.1.1" in p.email_status_reason
    assert bounces(runtime) == [("hard", "5.1.1"), ("hard", "5.1.1")]
    [(metric, pid, props)] = stored_events(runtime, "Bounced Email")
    assert (pid, props["flow"], props["node"], props["status"]) == (shopper, "5", "hello", "5.1.1")


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_three_soft_bounces_in_a_row_suppress(runtime, account, shopper):
    out = sent_to(runtime, account, shopper)
    with listener(runtime) as port:
        for n in range(3):
            deliver(port, out.mail_from, dsn("4.2.2", action="delayed"))
            expected = "bounced" if n == 2 else "subscribed"
            assert profile_of(runtime, shopper).email_status == expected
    assert profile_of(runtime, shopper).email_soft_bounces == 3
    [(_, _, props)] = stored_events(runtime, "Bounced Email")
    assert props["permanent"] is False


def test_a_complaint_names_the_profile_through_the_original_s_unsubscribe_header(
    runtime, account, shopper
):
    out = sent_to(runtime, account, shopper)
    original = f"From: shop@acme.test\r\nTo: ann@example.com\r\nList-Unsubscribe: {out.msg['List-Unsubscribe']}"
    with listener(runtime) as port:
        deliver(port, "fbl@bounce.acme.test", arf(original))
    assert profile_of(runtime, shopper).email_status == "complained"
    assert bounces(runtime) == [("complaint", None)]
    [(_, _, props)] = stored_events(runtime, "Marked Email as Spam")
    assert props["flow"] == "5" and props["feedback_type"] == "abuse"


IGNORED = [
    ("b.1.f5-hello.AAAAAAAAAAAA@bounce.acme.test", dsn("5.1.1")),  # forged VERP
    ("postmaster@bounce.acme.test", dsn("5.1.1")),  # no VERP, no original
    ("VERP", b"Subject: Out of office\r\n\r\nI am away until Monday.\r\n"),
    ("VERP", dsn("2.0.0", action="delivered")),
    ("VERP", b"\x00\xff garbage \r\n\r\n--\r\n"),
    ("fbl@bounce.acme.test", arf("From: x@y.test\r\nList-Unsubscribe: <https://t/e/u/a.b>")),
]


def test_mail_that_is_no_report_of_ours_is_accepted_and_ignored(runtime, account, shopper):
    out = sent_to(runtime, account, shopper)
    with listener(runtime) as port:
        for rcpt, raw in IGNORED:
            deliver(port, out.mail_from if rcpt == "VERP" else rcpt, raw)
    assert profile_of(runtime, shopper).email_status == "subscribed"
    assert bounces(runtime) == []


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_oversized_mail_is_refused_with_552(runtime, account, shopper):
    out = sent_to(runtime, account, shopper)
    with listener(runtime) as port, pytest.raises(smtplib.SMTPException) as refused:
        deliver(port, out.mail_from, dsn("5.1.1") + b"x" * (MAX_BYTES + 10))
    code = getattr(refused.value, "smtp_code", None) or refused.value.recipients[out.mail_from][0]
    assert code == 552
    assert profile_of(runtime, shopper).email_status == "subscribed"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_jobs_process_thread_serves_the_listener_until_stopped(runtime, account, shopper):
    import threading
    from types import SimpleNamespace

    from backend.email.listener import run_forever

    port = free_port()
    rt = SimpleNamespace(
        settings=runtime.settings.with_(bounce_smtp=f"127.0.0.1:{port}"),
        db=runtime.db,
        service=runtime.service,
    )
    out = sent_to(runtime, account, shopper)
    stop = threading.Event()
    thread = threading.Thread(target=run_forever, args=(rt, stop))
    thread.start()
    try:
        for _ in range(100):  # until it listens
            try:
                deliver(port, out.mail_from, dsn("5.1.1"))
                break
            except OSError:
                stop.wait(0.05)
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()
    assert profile_of(runtime, shopper).email_status == "bounced"

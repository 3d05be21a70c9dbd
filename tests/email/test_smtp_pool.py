"""The SMTP pool against real aiosmtpd servers on loopback: connections are kept and
reused, a refused recipient and an unavailable server are told apart, and a server that
went away is reconnected to."""

from __future__ import annotations

import sys
import threading
from contextlib import contextmanager
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from backend.email.smtp_pool import DeliveryUnknown, RecipientRefused, SmtpPool, SmtpUnavailable
from tests.live_server import free_port


class Server:
    """Keeps messages and counts the connections (EHLOs) it was opened with."""

    def __init__(self):
        self.messages: list[tuple[str, list[str], bytes]] = []
        self.connections = 0
        self.lock = threading.Lock()

    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802
        with self.lock:
            self.connections += 1
        session.host_name = hostname
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # noqa: N802
        if address.startswith("unknown@"):
            return "553 5.7.1 sender not allowed"
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if address.startswith("nobody@"):
            return "550 5.1.1 no such user"
        if address.startswith("later@"):
            return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        with self.lock:
            self.messages.append((envelope.mail_from, envelope.rcpt_tos, envelope.content))
        if envelope.rcpt_tos[0].startswith("hangup@"):
            server.transport.close()  # took the message, then the line dropped: no reply
        return "250 2.0.0 queued as abc"


@contextmanager
def smtp_server(port: int | None = None):
    handler = Server()
    port = port or free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, f"smtp://127.0.0.1:{port}?from=shop@acme.test", port
    finally:
        controller.stop()


def message(to: str, n: int = 0) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "shop@acme.test", to, f"hello {n}"
    msg.set_content("hi")
    return msg


def test_many_messages_share_the_pool_s_few_connections():
    with smtp_server() as (server, url, _), SmtpPool(url, size=2) as pool:
        threads = [
            threading.Thread(
                target=lambda i=i: pool.send(
                    message(f"a{i}@x.test", i), "b@bounce.test", f"a{i}@x.test"
                )
            )
            for i in range(20)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(server.messages) == 20
        assert {m[1][0] for m in server.messages} == {f"a{i}@x.test" for i in range(20)}
        assert all(m[0] == "b@bounce.test" for m in server.messages)
        assert 1 <= server.connections <= 2


def test_reply_is_returned_and_a_refused_recipient_is_not_a_pause():
    with smtp_server() as (server, url, _), SmtpPool(url) as pool:
        assert pool.send(message("ann@x.test"), "b@bounce.test", "ann@x.test").startswith("250")
        with pytest.raises(RecipientRefused) as refused:
            pool.send(message("nobody@x.test"), "b@bounce.test", "nobody@x.test")
        assert refused.value.code == 550 and "no such user" in refused.value.reply
        with pytest.raises(SmtpUnavailable):
            pool.send(message("later@x.test"), "b@bounce.test", "later@x.test")
        with pytest.raises(SmtpUnavailable, match="sender"):  # a setting to fix: pause
            pool.send(message("ann@x.test"), "unknown@bounce.test", "ann@x.test")
        # The connection survives both refusals: the next message goes out on it.
        pool.send(message("bob@x.test"), "b@bounce.test", "bob@x.test")
        assert [m[1] for m in server.messages] == [["ann@x.test"], ["bob@x.test"]]
        assert server.connections == 1


def test_no_server_is_unavailable_and_a_restarted_one_is_reconnected_to():
    port = free_port()
    pool = SmtpPool(f"smtp://127.0.0.1:{port}", timeout=2)
    with pytest.raises(SmtpUnavailable):
        pool.send(message("ann@x.test"), "b@bounce.test", "ann@x.test")
    with smtp_server(port) as (server, _, _):
        pool.send(message("ann@x.test"), "b@bounce.test", "ann@x.test")
    # The server went away with our idle connection; a new one answers on the same port.
    with smtp_server(port) as (server, _, _):
        pool.send(message("bob@x.test"), "b@bounce.test", "bob@x.test")
        assert [m[1] for m in server.messages] == [["bob@x.test"]]
    pool.close()
    with pytest.raises(SmtpUnavailable):
        pool.send(message("carl@x.test"), "b@bounce.test", "carl@x.test")


# A server that advertises PIPELINING (RFC 2920): MAIL, RCPT and DATA go in one write, and
# refusals, dot-stuffing and connection reuse behave as without it.
class Pipelining(Server):
    async def handle_EHLO(self, server, session, envelope, hostname, responses):  # noqa: N802
        responses = await super().handle_EHLO(server, session, envelope, hostname, responses)
        return [responses[0], "250-PIPELINING", *responses[1:]]


def dotted(to: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = "shop@acme.test", to, "dots"
    msg.set_content(".a line that starts with a dot\n.\nand the end\n")
    return msg


def test_pipelined_sends_refusals_and_dots(monkeypatch):
    monkeypatch.setattr(sys.modules[__name__], "Server", Pipelining)
    with smtp_server() as (server, url, _), SmtpPool(url) as pool:
        assert pool.send(dotted("ann@x.test"), "b@bounce.test", "ann@x.test").startswith("250")
        conn = pool._idle.get_nowait()
        assert conn.has_extn("pipelining")  # so the pipelined path is the one under test
        pool._idle.put(conn)
        with pytest.raises(RecipientRefused):
            pool.send(dotted("nobody@x.test"), "b@bounce.test", "nobody@x.test")
        with pytest.raises(SmtpUnavailable):
            pool.send(dotted("later@x.test"), "b@bounce.test", "later@x.test")
        with pytest.raises(SmtpUnavailable):
            pool.send(dotted("ann@x.test"), "unknown@bounce.test", "ann@x.test")
        pool.send(dotted("bob@x.test"), "b@bounce.test", "bob@x.test")
        assert isinstance(server, Pipelining)
        assert [m[1] for m in server.messages] == [["ann@x.test"], ["bob@x.test"]]
        assert server.connections == 1
        body = server.messages[0][2]
        assert b"\n.a line that starts with a dot" in body and b"\n.\n" in body.replace(
            b"\r\n", b"\n"
        )


def test_a_message_that_went_out_without_a_reply_is_never_handed_over_again():
    # The server has the message but the connection dropped before its "250": it may be
    # delivered, so the pool must not retry it on a fresh connection (a duplicate).
    with smtp_server() as (server, url, _), SmtpPool(url, timeout=2) as pool:
        with pytest.raises(DeliveryUnknown):
            pool.send(message("hangup@x.test"), "b@bounce.test", "hangup@x.test")
        assert [m[1] for m in server.messages] == [["hangup@x.test"]]
        # The pool goes on: the next message takes a new connection.
        pool.send(message("bob@x.test"), "b@bounce.test", "bob@x.test")
        assert [m[1] for m in server.messages] == [["hangup@x.test"], ["bob@x.test"]]

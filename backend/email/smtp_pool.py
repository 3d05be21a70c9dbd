"""A pool of persistent SMTP connections, shared by threads. Opening a connection (TCP,
EHLO, maybe TLS and AUTH) costs far more than one message on it, so connections are kept
and reused; one that fails is dropped and the next send opens a fresh one.

TALLY_SMTP_URL: smtp://[user:pass@]host[:port][?from=ADDR&starttls=1] or smtps://...
"""

from __future__ import annotations

import queue
import re
import smtplib
import ssl
import threading
from email.message import EmailMessage
from urllib.parse import parse_qs, unquote, urlparse

from backend.errors import Invalid


class RecipientRefused(Exception):
    """The server refused this recipient for good (5xx): do not retry it."""

    def __init__(self, code: int, reply: str):
        super().__init__(f"{code} {reply}")
        self.code = code
        self.reply = reply


class SmtpUnavailable(Exception):
    """No answer, a timeout, or a temporary refusal (4xx): pause and retry later."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class DeliveryUnknown(SmtpUnavailable):
    """The message's bytes went out but its final reply never came (a time-out, a dropped
    connection): it may have been delivered, so it is never handed over again."""


class SmtpTarget:
    """TALLY_SMTP_URL, parsed once."""

    def __init__(self, url: str):
        u = urlparse(url or "")
        if u.scheme not in ("smtp", "smtps"):
            raise Invalid(problems=["TALLY_SMTP_URL: must start with smtp:// or smtps://"])
        q = parse_qs(u.query)
        self.host = u.hostname or "127.0.0.1"
        self.port = u.port or (465 if u.scheme == "smtps" else 25)
        self.ssl = u.scheme == "smtps"
        self.starttls = q.get("starttls", ["0"])[0] in ("1", "true", "yes")
        self.user = unquote(u.username) if u.username else None
        self.password = unquote(u.password) if u.password else None
        self.sender = q.get("from", ["Tally <no-reply@tally.local>"])[0]


# An address that is a plain dot-atom is quoted as smtplib.quoteaddr would ("<addr>"),
# without its parser (~15 us a call); anything else goes through quoteaddr itself.
_DOT_ATOM = re.compile(
    rb"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    rb"@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
)
_LEADING_DOT = re.compile(rb"(?m)^\.")  # smtplib's _quote_periods


def _quoted(addr: str) -> bytes:
    raw = addr.encode("ascii")  # smtplib's command encoding: the same error on non-ASCII
    if _DOT_ATOM.fullmatch(raw):
        return b"<" + raw + b">"
    return smtplib.quoteaddr(addr).encode("ascii")


def _data_bytes(data: bytes) -> bytes:
    """The DATA payload exactly as smtplib.SMTP.data sends bytes: leading dots doubled,
    ended by CRLF "." CRLF (the regex only runs when a line starts with a dot)."""
    if b"\n." in data or data.startswith(b"."):
        data = _LEADING_DOT.sub(b"..", data)
    if data[-2:] != b"\r\n":
        data += b"\r\n"
    return data + b".\r\n"


def _reply_text(raw) -> str:
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


class SmtpPool:
    def __init__(self, url: str, size: int = 4, timeout: float = 10.0):
        self.target = SmtpTarget(url)
        self.size = max(1, size)
        self.timeout = timeout
        self._idle: queue.LifoQueue[smtplib.SMTP] = queue.LifoQueue()
        self._slots = threading.BoundedSemaphore(self.size)  # connections in use or idle
        self._closed = False

    def _connect(self) -> smtplib.SMTP:
        t = self.target
        try:
            if t.ssl:
                conn = smtplib.SMTP_SSL(
                    t.host, t.port, timeout=self.timeout, context=ssl.create_default_context()
                )
            else:
                conn = smtplib.SMTP(t.host, t.port, timeout=self.timeout)
            conn.ehlo_or_helo_if_needed()
            if t.starttls:
                conn.starttls(context=ssl.create_default_context())
                conn.ehlo()
            if t.user:
                conn.login(t.user, t.password or "")
            return conn
        except (OSError, smtplib.SMTPException) as exc:
            raise SmtpUnavailable(f"cannot connect to {t.host}:{t.port}: {exc}") from None

    def _take(self) -> smtplib.SMTP:
        if self._closed:
            raise SmtpUnavailable("the SMTP pool is closed")
        if not self._slots.acquire(timeout=self.timeout * 3):
            raise SmtpUnavailable("every SMTP connection stayed busy")
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            try:
                return self._connect()
            except BaseException:
                self._slots.release()
                raise

    def _give_back(self, conn: smtplib.SMTP | None) -> None:
        if conn is not None and not self._closed:
            self._idle.put(conn)
        elif conn is not None:
            _quietly_close(conn)
        self._slots.release()

    def send(self, msg: EmailMessage, mail_from: str, rcpt: str) -> str:
        """Hand one message to the server; returns its reply ("250 ..."). A connection that
        went stale while idle is replaced once, transparently."""
        for attempt in (1, 2):
            conn = self._take()
            try:
                reply = self._send_on(conn, msg, mail_from, rcpt)
            except _Stale as exc:
                self._give_back(None)
                _quietly_close(conn)
                if attempt == 2:
                    raise SmtpUnavailable(str(exc)) from None
                continue
            except BaseException:
                # Refused or unavailable: the connection may be mid-transaction; reset it,
                # or drop it when even that fails.
                self._give_back(conn if _reset(conn) else None)
                raise
            self._give_back(conn)
            return reply
        raise SmtpUnavailable("unreachable")  # pragma: no cover

    def _send_on(self, conn: smtplib.SMTP, msg: EmailMessage, mail_from: str, rcpt: str) -> str:
        # compose's Outgoing (or its WireMessage) carries the exact bytes it signed (DKIM).
        data = getattr(msg, "wire", None) or msg.as_bytes(policy=msg.policy.clone(linesep="\r\n"))
        handed = False  # once the message's bytes start going out, a failure is not a retry
        try:
            # MAIL, RCPT and DATA in one write when the server allows PIPELINING (RFC
            # 2920), the message and its "." in one more: two writes and four replies read
            # on smtplib's own reply reader, instead of smtplib's four round trips and its
            # per-command overhead (~0.4 ms a message on this box, bench/campaign.py).
            head = [b"MAIL FROM:" + _quoted(mail_from), b"RCPT TO:" + _quoted(rcpt), b"DATA"]
            if conn.does_esmtp and conn.has_extn("pipelining"):
                conn.send(b"\r\n".join(head) + b"\r\n")
                replies = [conn.getreply() for _ in head]
            else:
                replies = []
                for cmd, ok in zip(head, ((250,), (250, 251), (354,)), strict=True):
                    conn.send(cmd + b"\r\n")  # one at a time, stopping at the first refusal
                    replies.append(conn.getreply())
                    if replies[-1][0] not in ok:
                        break
            code, resp = replies[0]
            if code != 250:
                self._end_data(conn, replies)
                # The sender refused: a setting to fix, not this recipient's fault.
                if 500 <= code < 600:
                    raise SmtpUnavailable(f"sender {mail_from} refused: {code} {_reply_text(resp)}")
                raise _classify(code, resp)
            code, resp = replies[1]
            if code not in (250, 251):
                self._end_data(conn, replies)
                raise _classify(code, resp)
            code, resp = replies[2]
            if code != 354:
                raise _classify(code, resp)
            handed = True
            conn.send(_data_bytes(data))
            code, resp = conn.getreply()
            if code != 250:
                raise _classify(code, resp)
            return f"{code} {_reply_text(resp)}"
        except smtplib.SMTPResponseException as exc:
            raise _classify(exc.smtp_code, exc.smtp_error) from None
        except OSError as exc:  # smtplib's errors, TimeoutError and socket errors alike
            if handed:
                raise DeliveryUnknown(f"no reply after the message went out: {exc!r}") from None
            if isinstance(exc, TimeoutError):
                raise SmtpUnavailable(f"timed out: {exc}") from None
            if isinstance(exc, smtplib.SMTPServerDisconnected):
                raise _Stale(f"server disconnected: {exc}") from None
            raise _Stale(f"connection failed: {exc}") from None

    @staticmethod
    def _end_data(conn: smtplib.SMTP, replies) -> None:
        # A server that said 354 to a pipelined DATA after refusing MAIL or RCPT waits for
        # a message: an empty one ends it (it has no valid recipient to deliver to).
        if len(replies) == 3 and replies[2][0] == 354:
            conn.send(b".\r\n")
            conn.getreply()

    def close(self) -> None:
        self._closed = True
        while True:
            try:
                _quietly_close(self._idle.get_nowait())
            except queue.Empty:
                return

    def __enter__(self) -> SmtpPool:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class _Stale(Exception):
    pass


def _classify(code: int, resp) -> Exception:
    text = _reply_text(resp)
    if 500 <= code < 600:
        return RecipientRefused(code, text)
    if code == 421 or code == -1:  # the server is closing the channel
        return _Stale(f"{code} {text}")
    return SmtpUnavailable(f"{code} {text}")


def _reset(conn: smtplib.SMTP) -> bool:
    try:
        return conn.rset()[0] == 250
    except (OSError, smtplib.SMTPException):
        return False


def _quietly_close(conn: smtplib.SMTP) -> None:
    try:
        conn.quit()
    except (OSError, smtplib.SMTPException):
        try:
            conn.close()
        except OSError:
            pass

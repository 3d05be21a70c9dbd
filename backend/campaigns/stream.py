"""One SMTP connection as a stream of messages (RFC 2920 pipelining), for the sender.

The pool's `send` is a conversation per message: MAIL, RCPT and DATA in one write, the
message in another, four replies read in two. A batch on one connection chains them
instead: the message's content and the *next* message's MAIL, RCPT and DATA go in one
write (RFC 2920 allows content as the first "command" of a group), and the next message is
composed while the server reads it. One write, one read and one journal write a message,
and no thread waits on the server: ~60 us less CPU a message (docs/campaigns.md).

The journal rule is the pool's: `H <id>` is written (os.write) before the message's content
leaves; its result line goes with the next message's `H` line, in the same write. A content
whose reply never came is `unknown`, never sent again; an envelope never answered was never
handed over (pending again)."""

from __future__ import annotations

import smtplib
from collections import deque
from collections.abc import Callable

from backend.email.smtp_pool import (
    RecipientRefused,
    SmtpUnavailable,
    _classify,
    _data_bytes,
    _quietly_close,
    _quoted,
    _reply_text,
    _Stale,
)

SENT, FAILED, UNKNOWN, UNSENT = "sent", "failed", "unknown", "unsent"

# take() -> (item, outgoing) to send next, or None when there is no more
Take = Callable[[], tuple | None]
# report(item, outgoing or None, state, reply)
Report = Callable[[object, object, str, str], None]


def _envelope(outgoing) -> bytes:
    return (
        b"MAIL FROM:"
        + _quoted(outgoing.mail_from)
        + b"\r\nRCPT TO:"
        + _quoted(outgoing.rcpt)
        + b"\r\nDATA\r\n"
    )


class Stopped(Exception):
    """The server failed in a way that stops the batch (pause and retry later)."""


def run(pool, take: Take, journal, report: Report) -> str | None:
    """Send everything `take` gives over one of the pool's connections; every job taken is
    reported exactly once. Returns why the server stopped the stream, or None."""
    waiting: deque = deque()  # taken, not handed over: sent on the next connection

    def next_job():
        return waiting.popleft() if waiting else take()

    for attempt in (1, 2):
        try:
            conn = pool._take()
        except SmtpUnavailable as exc:
            return _unsent_all(waiting, report, exc.reason)
        if not (conn.does_esmtp and conn.has_extn("pipelining")):
            pool._give_back(conn)
            return _one_by_one(pool, next_job, journal, report)
        s = _Stream(conn, next_job, journal, report)
        try:
            s.run()
        except _Stale as exc:  # a connection that went stale while idle: once more, afresh
            _drop(pool, conn)
            waiting.extend(s.not_handed())
            if s.handed or attempt == 2:
                return _unsent_all(waiting, report, str(exc))
            continue
        except (Stopped, SmtpUnavailable) as exc:
            _drop(pool, conn)
            waiting.extend(s.not_handed())
            return _unsent_all(waiting, report, str(getattr(exc, "reason", exc)))
        except BaseException as exc:  # a bug in compose, say: what went out stays decided
            s._lost(exc)
            _drop(pool, conn)
            waiting.extend(s.not_handed())
            _unsent_all(waiting, report, "")
            raise
        pool._give_back(conn)
        return None
    return None  # pragma: no cover


def _drop(pool, conn) -> None:
    _quietly_close(conn)
    pool._give_back(None)


def _unsent_all(waiting: deque, report: Report, reason: str) -> str:
    while waiting:
        item, outgoing = waiting.popleft()
        report(item, outgoing, UNSENT, "")
    return reason


class _Stream:
    def __init__(self, conn, next_job, journal, report: Report):
        self.conn, self.next_job, self.journal, self.report = conn, next_job, journal, report
        self.lines: list[str] = []  # journal lines not written yet
        self.in_data = None  # (item, outgoing): content sent, reply not read yet
        self.enveloped = None  # (item, outgoing): MAIL/RCPT/DATA sent, replies not read
        self.ready = None  # composed, not sent at all
        self.skip = 0  # replies to read and drop (RSET, the "." after a refused RCPT)
        self.handed = False

    def not_handed(self) -> list:
        out = [j for j in (self.enveloped, self.ready) if j is not None]
        self.enveloped = self.ready = None
        return out

    def _done(self, job, state: str, reply: str) -> None:
        if state in (SENT, FAILED):
            self.lines.append(self.journal.result_line(job[0].id, state, reply))
        self.report(job[0], job[1], state, reply)

    def run(self) -> None:
        conn = self.conn
        self.enveloped = self.next_job()
        if self.enveloped is None:
            return
        try:
            conn.send(_envelope(self.enveloped[1]))
            self.ready = self.next_job()
            while self.in_data is not None or self.enveloped is not None:
                self._step()
        except smtplib.SMTPResponseException as exc:
            self._lost(exc)
            raise _classify(exc.smtp_code, exc.smtp_error) from None
        except OSError as exc:  # smtplib's errors, time-outs and socket errors alike
            self._lost(exc)
            if isinstance(exc, TimeoutError):
                raise SmtpUnavailable(f"timed out: {exc}") from None
            raise _Stale(f"connection failed: {exc!r}") from None
        finally:
            self._flush()

    def _lost(self, exc) -> None:
        if self.in_data is not None:  # its bytes went out, its reply never came
            job, self.in_data = self.in_data, None
            self.report(
                job[0], job[1], UNKNOWN, f"SMTP no reply after the message went out: {exc!r}"
            )

    def _flush(self) -> None:
        if self.lines:
            self.journal.write("".join(self.lines))
            self.lines.clear()

    def _step(self) -> None:
        conn = self.conn
        if self.in_data is not None:
            code, resp = conn.getreply()
            job, self.in_data = self.in_data, None
            if code == 250:
                self._done(job, SENT, f"{code} {_reply_text(resp)}")
            elif 500 <= code < 600:
                self._done(job, FAILED, f"{code} {_reply_text(resp)}".strip())
            else:  # "later" after the content: not taken, so pending again, and stop
                self.report(job[0], job[1], UNSENT, "")
                raise Stopped(f"{code} {_reply_text(resp)}")
        for _ in range(self.skip):
            conn.getreply()
        self.skip = 0
        if self.enveloped is None:
            return
        replies = [conn.getreply() for _ in range(3)]
        job, self.enveloped = self.enveloped, None
        chunk: list[bytes] = []
        (c1, r1), (c2, r2), (c3, r3) = replies
        if c1 == 250 and c2 in (250, 251) and c3 == 354:
            self.lines.append(self.journal.handing_line(job[0].id))
            self._flush()  # the hand-over is on record before its content leaves
            self.handed = True
            chunk.append(_data_bytes(job[1].wire))
            self.in_data = job
        else:
            if c3 == 354:  # DATA accepted after a refusal: an empty message ends it
                chunk.append(b".\r\n")
                self.skip += 1
            chunk.append(b"RSET\r\n")
            self.skip += 1
            bad = (c1, r1) if c1 != 250 else (c2, r2) if c2 not in (250, 251) else (c3, r3)
            if c1 != 250 and 500 <= c1 < 600:
                self.enveloped = job
                raise Stopped(f"sender {job[1].mail_from} refused: {c1} {_reply_text(r1)}")
            err = _classify(*bad)
            if not isinstance(err, RecipientRefused):
                self.enveloped = job  # never handed over: pending again
                raise Stopped(str(getattr(err, "reason", err)))
            self._done(job, FAILED, f"{err.code} {err.reply}".strip())
        if self.ready is not None:
            chunk.append(_envelope(self.ready[1]))
            self.enveloped, self.ready = self.ready, None
        conn.send(b"".join(chunk))
        if self.enveloped is not None:
            self.ready = self.next_job()  # composed while the server reads


def _one_by_one(pool, next_job, journal, report: Report) -> str | None:
    """A server without PIPELINING: the pool's conversation, one message at a time."""
    from backend.email.smtp_pool import DeliveryUnknown

    while (job := next_job()) is not None:
        item, outgoing = job
        journal.handing(item.id)
        try:
            reply = pool.send(outgoing, outgoing.mail_from, outgoing.rcpt)
        except RecipientRefused as exc:
            reply = f"{exc.code} {exc.reply}".strip()
            journal.result(item.id, FAILED, reply)
            report(item, outgoing, FAILED, reply)
            continue
        except SmtpUnavailable as exc:
            if isinstance(exc, DeliveryUnknown):
                report(item, outgoing, UNKNOWN, f"SMTP {exc.reason}")
            else:
                report(item, outgoing, UNSENT, "")
            return exc.reason
        journal.result(item.id, SENT, reply)
        report(item, outgoing, SENT, reply)
    return None

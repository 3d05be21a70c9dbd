"""The transactional outbox of list joins: a join's events never get lost.

A join (a form, a confirmation, a flow's step, the API, an import chunk) writes its
messages to `list_outbox` in the SAME transaction as the membership (`put`). Right after
that transaction commits they are spooled through ingestion and the row deleted, so what
the event triggers (a list-triggered flow) finds the member. A process killed between the
commit and the spool, or a spool that failed, leaves the row behind: the jobs process
re-spools rows older than a few seconds (`sweep`). Re-spooling is safe: the messageIds are
deterministic, so ingestion drops a second copy.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import and_, delete, event, or_, select
from sqlalchemy.orm import Session

from backend.store.db import utcnow
from backend.store.list_models import ListOutbox

log = logging.getLogger("tally.lists")

Send = Callable[[str, list[dict]], None]  # (account id, messages) -> durable in ingestion
LEFT_BEHIND = timedelta(seconds=10)  # a row this old was not spooled by its writer
SWEEP_BATCH = 200  # rows a sweep reads at once
SPOOL_BATCH = 500  # messages handed to ingestion at once
_KEY = "lists_outbox"


def spooler(runtime, ip: str | None = None) -> Send:
    """Send through the runtime's ingestion, in batches (an import chunk has thousands)."""
    from backend.ingest import ingestor

    ing = ingestor(runtime)

    def send(account_id: str, messages: list[dict]) -> None:
        for i in range(0, len(messages), SPOOL_BATCH):
            ing.accept(account_id, messages[i : i + SPOOL_BATCH], ip)

    return send


def put(
    s: Session, account_id: str, messages: list[dict], send: Send, ip: str | None = None
) -> None:
    """Write the messages in the session's transaction; `send` spools them once it commits."""
    if not messages:
        return
    row = ListOutbox(
        id=uuid.uuid4().hex, account_id=account_id, messages=messages, ip=ip, created_at=utcnow()
    )
    s.add(row)
    if not s.info.get(_KEY + "_hooked"):
        s.info[_KEY + "_hooked"] = True
        event.listen(s, "after_commit", _after_commit)
    s.info.setdefault(_KEY, {})[row.id] = (account_id, messages, send)


def _after_commit(s: Session) -> None:
    # Fired for a savepoint's release too: wait for the transaction that makes it durable.
    if s.in_nested_transaction() or not s.info.get(_KEY):
        return
    pending = s.info.pop(_KEY)
    try:
        with Session(s.get_bind()) as other:
            # A row written in a savepoint that rolled back (a failed flow step) is gone:
            # spool only what was committed.
            ids = set(other.scalars(select(ListOutbox.id).where(ListOutbox.id.in_(pending))))
        for row_id in ids:
            account_id, messages, send = pending[row_id]
            send(account_id, messages)
            with Session(s.get_bind()) as other, other.begin():
                other.execute(delete(ListOutbox).where(ListOutbox.id == row_id))
    except Exception:  # the row stays; the jobs process spools it (sweep)
        log.warning("spooling a list join's events failed; the outbox keeps them", exc_info=True)


def sweep(runtime, older_than: timedelta = LEFT_BEHIND) -> int:
    """Spool and delete the rows their writers left behind; returns how many messages. A
    row that fails stays for the next pass and never holds up the rows behind it."""
    send_by_ip: dict[str | None, Send] = {}
    before, after, done, failed = utcnow() - older_than, None, 0, 0
    while True:
        q = select(
            ListOutbox.id,
            ListOutbox.account_id,
            ListOutbox.messages,
            ListOutbox.ip,
            ListOutbox.created_at,
        ).where(ListOutbox.created_at < before)
        if after is not None:  # keyset: on past the rows this pass has seen
            q = q.where(
                or_(
                    ListOutbox.created_at > after[0],
                    and_(ListOutbox.created_at == after[0], ListOutbox.id > after[1]),
                )
            )
        with runtime.db.session() as s:
            rows = s.execute(
                q.order_by(ListOutbox.created_at, ListOutbox.id).limit(SWEEP_BATCH)
            ).all()
        for row_id, account_id, messages, ip, created_at in rows:
            after = (created_at, row_id)
            if ip not in send_by_ip:
                send_by_ip[ip] = spooler(runtime, ip)
            try:
                send_by_ip[ip](account_id, messages)
            except Exception:
                failed += 1
                if failed == 1:  # once a pass: ingestion down fails every row alike
                    log.warning("re-spooling list join events failed", exc_info=True)
                continue
            with runtime.db.session() as s:
                s.execute(delete(ListOutbox).where(ListOutbox.id == row_id))
            done += len(messages)
        if len(rows) < SWEEP_BATCH:
            return done


def run_forever(runtime, stop: threading.Event, interval: float = 5.0) -> None:
    """The jobs process's thread: spool what joins left behind, every `interval` seconds."""
    while not stop.wait(interval):
        try:
            sweep(runtime)
        except Exception:
            log.exception("sweeping the list outbox failed")

"""The sending engine. Recipients are fixed when a campaign starts (audience.materialize);
then, batch after batch: claim pending recipients (state -> sending, committed), hand each to
SMTP over pooled persistent connections (the journal written around each hand-over), record
the batch's results in one transaction, clear the journal. A kill -9 anywhere is undone by
`recover` at the next start (backend/campaigns/journal.py says how): no duplicate, no gap."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import and_, exists, select, update
from sqlalchemy.orm import Session

from backend.campaigns import ab, audience, forked, stream
from backend.campaigns.journal import Journal
from backend.campaigns.limits import Limits
from backend.campaigns.limits import shared as shared_buckets
from backend.errors import TallyError
from backend.store.campaign_models import (
    FAILED,
    PENDING,
    SENDING,
    SENT,
    SUPPRESSED,
    UNKNOWN,
    Campaign,
    CampaignRecipient,
)
from backend.store.db import Database, utcnow
from backend.store.models import Profile

log = logging.getLogger("tally.campaigns")

R = CampaignRecipient
PROFILE_COLUMNS = (
    Profile.id,
    Profile.email,
    Profile.traits,
    Profile.external_id,
    Profile.email_status,
)


@dataclass
class Item:
    id: int
    profile_id: int
    email: str
    domain: str
    variant: str


@dataclass
class _Sent:
    """What `Received Email` needs of a sent e-mail (not its bytes: a batch holds many)."""

    message_key: str
    subject: str


@dataclass
class Outcome:
    sent: list[tuple[Item, str]] = field(default_factory=list)
    failed: list[tuple[Item, str]] = field(default_factory=list)
    unsent: list[Item] = field(default_factory=list)  # never reached SMTP: pending again
    unknown: list[tuple[Item, str]] = field(default_factory=list)  # timed out mid-message
    suppressed: list[tuple[Item, str]] = field(default_factory=list)  # unsubscribed since
    down: str | None = None  # the SMTP server's failure that stopped the batch


# (session, campaign, variant) -> (profile, address -> outgoing with .msg, .mail_from, .rcpt,
# or None when the profile may no longer be e-mailed): backend/campaigns/mail.py
Prepare = Callable[[Session, Campaign, str], Callable[[Profile, str], object]]
# (campaign, [(item, reply, outgoing or None)], profiles) -> "Received Email" recorded
OnSent = Callable[[Campaign, list, dict], None]


class Sender:
    def __init__(
        self,
        db: Database,
        pool,
        prepare: Prepare,
        journal_dir: Path,
        on_sent: OnSent | None = None,
        limits: Limits | None = None,
        clock: Callable[[], datetime] = utcnow,
        pool_factory: Callable[[], object] | None = None,
    ):
        self.db, self.pool, self.prepare = db, pool, prepare
        self.pool_factory = pool_factory  # a child process's own connections
        self.journal_dir = journal_dir
        self.on_sent = on_sent or (lambda c, sent, profiles: None)
        self.limits = limits or Limits()
        self.clock = clock
        # Each process of a batch keeps its share of the rate; flows in this process take
        # from the same buckets (limits.shared).
        self.rate, self.domains = shared_buckets(self.limits)
        self.threads = ThreadPoolExecutor(self.limits.workers, thread_name_prefix="tally-send")
        self.recovered = False

    def close(self) -> None:
        self.threads.shutdown(wait=True)
        if self.pool is not None:
            self.pool.close()

    # -- the loop ----------------------------------------------------------------------
    def tick(self) -> int:
        """One pass over every campaign; returns how many recipients were handled."""
        if not self.recovered:
            self.recover()
        self.start_due()
        self.retry_due()
        with self.db.session() as s:
            ids = s.scalars(select(Campaign.id).where(Campaign.status == "sending")).all()
        return sum(self.run_batch(cid) for cid in ids)

    def run_until_idle(self, max_ticks: int = 100000) -> None:
        """Tests and the demo: tick until nothing is left to do now."""
        for _ in range(max_ticks):
            if self.tick() == 0:
                return

    # -- starting --------------------------------------------------------------------------
    def start_due(self) -> None:
        now = self.clock()
        with self.db.session() as s:
            due = s.scalars(
                select(Campaign.id).where(Campaign.status == "scheduled", Campaign.send_at <= now)
            ).all()
        for cid in due:
            self.start(cid, now)

    def start(self, cid: int, now: datetime) -> None:
        """Fix the recipients and go to sending, in one transaction: both or neither."""
        try:
            with self.db.session() as s:
                claimed = s.execute(
                    update(Campaign)
                    .where(Campaign.id == cid, Campaign.status == "scheduled")
                    .values(status="sending", started_at=now, error=None, updated_at=now)
                ).rowcount
                if not claimed:
                    return
                c = s.get(Campaign, cid)
                n = audience.materialize(s, c, now)
                log.info("campaign %s started: %s recipients", cid, n)
        except TallyError as exc:  # a list or segment went away since it was scheduled
            with self.db.session() as s:
                s.execute(
                    update(Campaign)
                    .where(Campaign.id == cid, Campaign.status == "scheduled")
                    .values(status="draft", error=f"not sent: {exc.message}", updated_at=now)
                )

    def retry_due(self) -> None:
        """Campaigns the SMTP server's failure paused go on when their wait is over."""
        now = self.clock()
        with self.db.session() as s:
            resumed = s.execute(
                update(Campaign)
                .where(
                    Campaign.status == "paused",
                    Campaign.retry_at.is_not(None),
                    Campaign.retry_at <= now,
                )
                .values(status="sending", retry_at=None, updated_at=now)
            ).rowcount
        if resumed and self.pool_factory is not None:
            # Connections idle through the outage are dead: start afresh.
            self.pool.close()
            self.pool = self.pool_factory()

    # -- one batch -------------------------------------------------------------------------
    def run_batch(self, cid: int) -> int:
        with self.db.session() as s:
            c = s.get(Campaign, cid)
            if c is None or c.status != "sending":
                return 0
            variants = ab.sendable_variants(s, c, self.clock())
            items = self._claim(s, c, variants) if variants != [] else []
            if not items:
                self._finish_if_done(s, c)
                return 0
            # Rows of the columns compose, suppression and events read, not ORM objects:
            # ~25 us a recipient less (no identity map, no instance state).
            profiles = {
                p.id: p
                for p in s.execute(
                    select(*PROFILE_COLUMNS).where(Profile.id.in_([i.profile_id for i in items]))
                )
            }
            compose = {v: self.prepare(s, c, v) for v in {i.variant for i in items}}
            s.expunge_all()
        journal = Journal(self.journal_dir, c.id)
        try:
            outcome = self._send_all(c, items, profiles, compose, journal)
            self._record(c, outcome, journal, profiles)
        finally:
            journal.close()
        return len(items)

    def _claim(self, s: Session, c: Campaign, variants: list[str] | None) -> list[Item]:
        q = select(R.id, R.profile_id, R.email, R.domain, R.variant).where(
            R.campaign_id == c.id, R.state == PENDING
        )
        if variants is not None:
            q = q.where(R.variant.in_(variants))
        limit = self.limits.batch
        items: list[Item] = []
        for row in s.execute(q.order_by(R.id).limit(limit * (4 if self.limits.per_domain else 1))):
            if self.domains.try_take(row.domain):
                items.append(Item(*row))
                if len(items) == limit:
                    break
        if items:
            s.execute(
                update(R)
                .where(R.id.in_([i.id for i in items]), R.state == PENDING)
                .values(state=SENDING)
                .execution_options(synchronize_session=False)
            )
        return items

    def _send_all(self, c: Campaign, items, profiles, compose, journal: Journal) -> Outcome:
        procs = self.limits.processes
        if procs <= 1 or self.pool_factory is None or len(items) < 4 * procs:
            return self._send_slice(items, profiles, compose, journal, self.pool, self.threads)
        chunks = [items[i::procs] for i in range(procs)]
        kids = []
        for chunk in chunks[1:]:

            def run(chunk=chunk):
                pool = self.pool_factory()
                with ThreadPoolExecutor(self.limits.workers) as threads:
                    return self._send_slice(chunk, profiles, compose, journal, pool, threads)

            kids.append((*forked.fork_slice(run), chunk))
        out = self._send_slice(chunks[0], profiles, compose, journal, self.pool, self.threads)
        for pid, r, chunk in kids:
            plain = forked.collect(pid, r)
            by_id = {i.id: i for i in chunk}
            if plain is not None:
                forked.merge(out, plain, by_id)
            else:  # the child died: its journal lines decide, as after a crash
                replay = journal.replay()
                for i in chunk:
                    if i.id in replay.results:
                        state, reply = replay.results[i.id]
                        if state == SENT:
                            out.sent.append((i, reply, None))
                        else:
                            out.failed.append((i, reply, None))
                    elif i.id in replay.handed:
                        out.unknown.append((i, "handed to SMTP when its sender process died"))
                    else:
                        out.unsent.append(i)
        return out

    def _send_slice(self, items, profiles, compose, journal, pool, threads) -> Outcome:
        """Each of `workers` connections streams messages (backend/campaigns/stream.py),
        taking the next recipient from the slice as it goes."""
        out = Outcome()
        lock = threading.Lock()
        it = iter(items)

        def take():
            while True:
                with lock:
                    if out.down is not None:
                        return None
                    item = next(it, None)
                if item is None:
                    return None
                try:
                    outgoing = compose[item.variant](profiles[item.profile_id], item.email)
                except TallyError as exc:  # an address compose refuses: nothing to send
                    with lock:
                        out.failed.append((item, f"not sent: {exc.message}", None))
                    continue
                if outgoing is None:
                    with lock:
                        out.suppressed.append((item, "suppressed when its turn came"))
                    continue
                self.rate.take()
                return item, outgoing

        def report(item, outgoing, state: str, reply: str) -> None:
            with lock:
                if state == stream.SENT:
                    out.sent.append((item, reply, _Sent(outgoing.message_key, outgoing.subject)))
                elif state == stream.FAILED:
                    out.failed.append((item, reply, None))
                elif state == stream.UNKNOWN:
                    out.unknown.append((item, reply))
                else:
                    out.unsent.append(item)

        def worker() -> None:
            down = stream.run(pool, take, journal, report)
            if down is not None:
                with lock:
                    out.down = out.down or down

        try:
            n = max(1, min(self.limits.workers, len(items)))
            if n == 1:
                worker()  # no thread to hand the GIL to
            else:
                for f in [threads.submit(worker) for _ in range(n)]:
                    f.result()
        finally:
            done = {p[0].id for p in out.sent + out.failed + out.unknown + out.suppressed}
            done |= {i.id for i in out.unsent}
            out.unsent += [i for i in items if i.id not in done]
        return out

    def _record(self, c: Campaign, out: Outcome, journal: Journal, profiles: dict) -> None:
        now = self.clock()
        if out.sent:  # deterministic messageIds: a replay after a crash is not counted twice
            self.on_sent(c, out.sent, profiles)
        with self.db.session() as s:
            _write_states(s, [(i, r) for i, r, _ in out.sent], SENT, now)
            _write_states(s, [(i, r) for i, r, _ in out.failed], FAILED, None)
            _write_states(s, out.unknown, UNKNOWN, None)
            _write_states(s, out.suppressed, SUPPRESSED, None)
            _write_states(s, [(i, None) for i in out.unsent], PENDING, None)
            if out.down:
                retry = now + timedelta(seconds=self.limits.retry_after)
                s.execute(
                    update(Campaign)
                    .where(Campaign.id == c.id, Campaign.status == "sending")
                    .values(
                        status="paused",
                        retry_at=retry,
                        error=f"the SMTP server is unavailable ({out.down}); "
                        f"trying again at {retry:%H:%M:%S} UTC",
                        updated_at=now,
                    )
                )
            elif out.sent and c.error:
                s.execute(update(Campaign).where(Campaign.id == c.id).values(error=None))
        journal.clear()

    def _finish_if_done(self, s: Session, c: Campaign) -> None:
        left = s.scalar(
            select(exists().where(and_(R.campaign_id == c.id, R.state.in_((PENDING, SENDING)))))
        )
        if not left:
            now = self.clock()
            s.execute(
                update(Campaign)
                .where(Campaign.id == c.id, Campaign.status == "sending")
                .values(status="sent", finished_at=now, updated_at=now)
            )
            Journal(self.journal_dir, c.id).remove()

    # -- after a crash ---------------------------------------------------------------------
    def recover(self) -> None:
        """Decide every recipient a killed sender left `sending`, from its journal."""
        with self.db.session() as s:
            cids = s.scalars(select(R.campaign_id).where(R.state == SENDING).distinct()).all()
        for cid in cids:
            journal = Journal(self.journal_dir, cid)
            replay = journal.replay()
            now = self.clock()
            with self.db.session() as s:
                c = s.get(Campaign, cid)
                rows = s.execute(
                    select(R.id, R.profile_id, R.email, R.domain, R.variant).where(
                        R.campaign_id == cid, R.state == SENDING
                    )
                ).all()
                sent, failed, unknown, pending = [], [], [], []
                for row in rows:
                    item = Item(*row)
                    if item.id in replay.results:
                        state, reply = replay.results[item.id]
                        (sent if state == SENT else failed).append((item, reply))
                    elif item.id in replay.handed:
                        unknown.append((item, "handed to SMTP when the sender stopped"))
                    else:
                        pending.append((item, None))
                if sent:
                    profiles = {
                        p.id: p
                        for p in s.scalars(
                            select(Profile).where(Profile.id.in_([i.profile_id for i, _ in sent]))
                        )
                    }
                    self.on_sent(c, [(i, r, None) for i, r in sent], profiles)
                _write_states(s, sent, SENT, now)
                _write_states(s, failed, FAILED, None)
                _write_states(s, unknown, UNKNOWN, None)
                _write_states(s, pending, PENDING, None)
                log.warning(
                    "campaign %s recovered after a stop: %s sent, %s failed, %s unknown, "
                    "%s pending again",
                    cid,
                    len(sent),
                    len(failed),
                    len(unknown),
                    len(pending),
                )
            journal.clear()
            journal.close()
        self.recovered = True


def _write_states(s: Session, pairs, state: str, at: datetime | None) -> None:
    if not pairs:
        return
    if state in (SENT, PENDING):
        # One statement for the batch: a sent e-mail's "250 queued" is kept in the journal
        # only (a failure's reply is what the report shows).
        ids = [i.id for i, _ in pairs]
        for k in range(0, len(ids), 900):  # SQLite's bound-parameter limit
            s.execute(
                update(R)
                .where(R.id.in_(ids[k : k + 900]))
                .values(state=state, sent_at=at)
                .execution_options(synchronize_session=False)
            )
        return
    rows = [{"id": i.id, "state": state, "reply": reply, "sent_at": at} for i, reply in pairs]
    s.execute(update(R), rows)

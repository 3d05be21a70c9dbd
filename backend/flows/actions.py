"""What each node does. Every outcome is recorded by the engine; e-mails, webhooks and
list joins also flow back as events (through ingestion) so counters and dashboards see them."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import requests
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend import lists
from backend.campaigns.flow_sends import email_source
from backend.email import events as email_events
from backend.email.compose import compose, message_key
from backend.email.smtp_pool import DeliveryUnknown, RecipientRefused, SmtpUnavailable
from backend.email.suppression import can_email
from backend.errors import Invalid
from backend.flows.conditions import matches
from backend.flows.mailer import FlowMail
from backend.lists import outbox
from backend.store.campaign_models import FAILED, SENT, SKIPPED, SUPPRESSED, UNKNOWN
from backend.store.flow_models import Flow, FlowJob, FlowRun
from backend.store.models import Profile, ProfileAlias

WEBHOOK_TIMEOUT = 5.0
WEBHOOK_ATTEMPTS = 4  # then give up; waits 30 s, 2 min, 8 min between tries
EMAIL_ATTEMPTS = 4  # the SMTP server unreachable or saying "later" (4xx): the same waits


@dataclass
class Outcome:
    outcome: str
    next_node: str | None
    detail: str = ""
    next_at: datetime | None = None
    after_node: str | None = None
    retry_at: datetime | None = None
    # Messages the engine spools once the step's transaction has committed, so that what
    # they trigger (a list-triggered flow) finds what the step wrote.
    events: list[dict] = field(default_factory=list)


Emit = Callable[[str, list[dict]], None]  # (account_id, Segment messages) -> spooled


class Actions:
    def __init__(self, mail: FlowMail, emit: Emit, http: requests.Session | None = None):
        self.mail = mail
        self.emit = emit
        self.http = http or requests.Session()

    def perform(
        self,
        s: Session,
        flow: Flow,
        run: FlowRun,
        job: FlowJob,
        node: dict,
        profile: Profile,
        now: datetime,
    ) -> Outcome:
        event = (run.event or {}).get("properties") or {}
        filters = flow.definition.get("filters")
        if filters and not matches(filters, s, profile, event, now):
            return Outcome("exited", None, "the profile no longer matches the flow's filters")
        return getattr(self, "_" + node["type"])(s, flow, run, job, node, profile, event, now)

    def _delay(self, s, flow, run, job, node, profile, event, now) -> Outcome:
        minutes = float(node.get("minutes") or 0)
        return Outcome(
            "waited",
            node.get("next"),
            f"{minutes:g} min",
            next_at=now + timedelta(minutes=minutes),
            after_node=node["id"],
        )

    def _split(self, s, flow, run, job, node, profile, event, now) -> Outcome:
        yes = matches(node.get("where"), s, profile, event, now)
        return Outcome("yes" if yes else "no", node.get("yes" if yes else "no"))

    def _ab_split(self, s, flow, run, job, node, profile, event, now) -> Outcome:
        # Stable per run: the same journey always takes the same branch.
        bucket = int(hashlib.sha256(f"{flow.id}:{run.id}".encode()).hexdigest(), 16) % 100
        branch = "a" if bucket < float(node.get("percent", 50)) else "b"
        return Outcome(branch, node.get(branch))

    def _email(self, s, flow, run, job, node, profile, event, now) -> Outcome:
        """Through the one e-mail path (backend/email/) and the campaign engine's
        exactly-once record (backend/campaigns/flow_sends.py): a `flow_sends` row with the
        outcome, the journal around the hand-over, the shared rates. Suppression is checked
        here, at the moment of sending: a profile that unsubscribed after it entered the
        flow gets nothing, and its journey goes on (a later split or webhook still runs)."""
        sends = self.mail.sends
        if not sends.recovered:  # what a killed jobs process left running: decided once
            sends.recover(s, self.emit)
        source = email_source(flow, node, run)
        key = message_key(source, profile.id)

        def done(state: str, reply: str, outcome: Outcome) -> Outcome:
            sends.record(s, flow, node, run, job, profile, state, reply, key, now)
            return outcome

        if not profile.email:
            why = "the profile has no e-mail address"
            return done(SKIPPED, why, Outcome("skipped", node.get("next"), why))
        if not can_email(profile):
            why = f"e-mail status is {profile.email_status}"
            return done(SUPPRESSED, why, Outcome("suppressed", node.get("next"), why))
        if not self.mail.configured:
            return Outcome("failed", None, "TALLY_SMTP_URL is not set, so no e-mail can be sent")
        try:
            out = compose(
                self.mail.context(s, flow.account_id),
                profile,
                subject=node.get("subject", ""),
                body=node.get("body", ""),
                source=source,
                event=event,
            )
        except Invalid as exc:
            return done(FAILED, exc.message, Outcome("failed", None, exc.message))
        sends.before(job.id, profile.email)
        try:
            reply = self.mail.send(out)
        except RecipientRefused as exc:
            sends.after(job.id, FAILED, str(exc))
            why = f"the server refused {profile.email}: {exc}"
            return done(FAILED, str(exc), Outcome("failed", None, why))
        except DeliveryUnknown as exc:
            # It may have been delivered: never sent again; the journey goes on.
            return done(
                UNKNOWN,
                exc.reason,
                Outcome("unknown", node.get("next"), f"to {profile.email}: {exc.reason}"),
            )
        except SmtpUnavailable as exc:
            sends.after(job.id, "pending", exc.reason)  # nothing left: the step runs again
            if job.attempts < EMAIL_ATTEMPTS:
                wait = timedelta(seconds=30 * 4 ** (job.attempts - 1))
                return Outcome("retrying", None, exc.reason, retry_at=now + wait)
            return done(FAILED, exc.reason, Outcome("failed", None, exc.reason))
        sends.after(job.id, SENT, reply)
        self.emit(
            flow.account_id,
            [email_events.received(profile, source, out.message_key, out.subject, now)],
        )
        return done(
            SENT,
            reply,
            Outcome("sent", node.get("next"), f"to {profile.email}: {out.subject} ({reply})"),
        )

    def _webhook(self, s, flow, run, job, node, profile, event, now) -> Outcome:
        payload = {
            "flow": {"id": flow.id, "name": flow.name},
            "node": node["id"],
            "profile": {
                "id": profile.id,
                "email": profile.email,
                "traits": profile.traits,
                "country": profile.country,
            },
            "event": run.event,
        }
        try:
            resp = self.http.post(
                node["url"],
                json=payload,
                timeout=WEBHOOK_TIMEOUT,
                headers={"User-Agent": "Tally-Flows/1"},
            )
            ok, detail = resp.status_code < 400, f"HTTP {resp.status_code}: {resp.text[:300]}"
            retryable = resp.status_code >= 500 or resp.status_code == 429
        except requests.RequestException as exc:
            ok, detail, retryable = False, f"{type(exc).__name__}: {exc}", True
        if ok:
            return Outcome("delivered", node.get("next"), detail)
        if retryable and job.attempts < WEBHOOK_ATTEMPTS:
            wait = timedelta(seconds=30 * 4 ** (job.attempts - 1))
            return Outcome("retrying", None, detail, retry_at=now + wait)
        return Outcome("failed", None, detail)

    def _update_profile(self, s, flow, run, job, node, profile, event, now) -> Outcome:
        profile.traits = {**(profile.traits or {}), **(node.get("traits") or {})}
        return Outcome("updated", node.get("next"), ", ".join(sorted(node.get("traits") or {})))

    def _add_to_list(self, s, flow, run, job, node, profile, event, now) -> Outcome:
        name = str(node["list"]).strip()
        joined = lists.join(s, flow.account_id, name, profile, source=f"flow:{flow.id}")
        if joined:  # in the step's transaction; emitted once it commits (lists/outbox.py)
            message = _message(s, flow, job, profile, lists.LIST_METRIC, {"list": name}, now)
            outbox.put(s, flow.account_id, [message], self.emit)
        return Outcome("added", node.get("next"), name)


def _message(s: Session, flow, job, profile: Profile, metric: str, props: dict, now) -> dict:
    return {
        "type": "track",
        "event": metric,
        **_identity(s, profile),
        # One id per step: if anything replays it, ingestion's dedup drops the copy.
        "messageId": f"flow-{flow.id}-job-{job.id}-{metric}",
        "timestamp": now.isoformat() + "Z",
        "properties": {**props, "$flow": str(flow.id), "$node": job.node_id},
    }


def _identity(s: Session, profile: Profile) -> dict:
    """Segment identity fields that ingestion resolves back to this same profile."""
    if profile.external_id:
        return {"userId": profile.external_id}
    alias = s.scalar(
        select(ProfileAlias.anonymous_id).where(ProfileAlias.profile_id == profile.id).limit(1)
    )
    ident: dict = {"anonymousId": alias or f"tally-profile-{profile.id}"}
    if profile.email:
        ident["traits"] = {"email": profile.email}
    return ident

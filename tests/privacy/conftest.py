"""A person with a row in every table that holds anything about a profile, and a
neighbour (same account, same lists) whose rows must survive the person's erasure."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select

from backend.store.db import utcnow

ADDRESS = "ada@example.com"
NEIGHBOUR = "bob@example.com"


@dataclass
class People:
    account: object
    pid: int  # the person
    other: int  # the neighbour
    flow_id: int
    campaign_id: int
    segment_id: int
    list_id: int


def _msg(kind: str, user: str, email: str, **kw) -> dict:
    return {
        "type": kind,
        "userId": user,
        "anonymousId": f"anon-{user}",
        "messageId": str(uuid.uuid4()),
        "timestamp": (utcnow() - timedelta(days=2)).isoformat() + "Z",
        "context": {"traits": {"email": email}},
        **kw,
    }


def bearer(acc) -> dict:
    return {"Authorization": f"Bearer {acc.private_key}"}


@pytest.fixture
def people(runtime, account) -> People:
    from backend.ingest import ingestor
    from backend.store.campaign_models import Campaign, CampaignRecipient, FlowSend
    from backend.store.email_models import EmailBounce
    from backend.store.flow_models import Flow, FlowAction, FlowJob, FlowRun
    from backend.store.form_models import Form, FormSubmission
    from backend.store.models import List, ListMember, Profile
    from backend.store.prediction_models import ProfilePrediction
    from backend.store.segment_models import Segment, SegmentChange, SegmentMember

    ing = ingestor(runtime)
    msgs = []
    for user, email in (("u-ada", ADDRESS), ("u-bob", NEIGHBOUR)):
        msgs.append(_msg("identify", user, email, traits={"email": email, "first_name": user}))
        msgs.append(_msg("track", user, email, event="Placed Order", properties={"revenue": 42}))
        msgs.append(_msg("page", user, email, name="Home"))
    ing.accept(account.id, msgs)
    ing.drain()
    now = utcnow()
    with runtime.db.session() as s:
        pid = s.scalar(select(Profile.id).where(Profile.email == ADDRESS))
        other = s.scalar(select(Profile.id).where(Profile.email == NEIGHBOUR))
        p = s.get(Profile, pid)
        p.email_status, p.email_status_at, p.email_status_reason = "subscribed", now, "form"
        lst = List(account_id=account.id, name="Newsletter")
        seg = Segment(account_id=account.id, name="Buyers", definition={"conditions": []}, count=2)
        flow = Flow(account_id=account.id, name="Thanks", definition={}, status="live")
        camp = Campaign(account_id=account.id, name="Black Friday", status="sent")
        form = Form(account_id=account.id, name="Join", kind="popup", definition={})
        s.add_all([lst, seg, flow, camp, form])
        s.flush()
        for who in (pid, other):
            s.add_all(
                [
                    ListMember(list_id=lst.id, profile_id=who, consent_at=now),
                    SegmentMember(segment_id=seg.id, profile_id=who),
                    SegmentChange(segment_id=seg.id, profile_id=who, joined=True),
                    CampaignRecipient(
                        campaign_id=camp.id,
                        profile_id=who,
                        email=ADDRESS if who == pid else NEIGHBOUR,
                        domain="example.com",
                        state="sent",
                        sent_at=now,
                    ),
                    ProfilePrediction(
                        account_id=account.id,
                        profile_id=who,
                        historic_clv=42.0,
                        predicted_clv=80.0,
                        total_clv=122.0,
                        expected_orders=1.5,
                        churn_probability=0.2,
                        average_order_value=42.0,
                        fitted_at=now,
                    ),
                    EmailBounce(account_id=account.id, profile_id=who, kind="soft", status="4.2.2"),
                ]
            )
            run = FlowRun(flow_id=flow.id, account_id=account.id, profile_id=who, event={})
            s.add(run)
            s.flush()
            mail_job = FlowJob(run_id=run.id, flow_id=flow.id, node_id="mail", due_at=now)
            s.add(mail_job)
            s.flush()
            s.add_all(
                [
                    FlowSend(  # the flow's e-mail step, recorded by the sending engine
                        account_id=account.id,
                        flow_id=flow.id,
                        node_id="mail",
                        run_id=run.id,
                        job_id=mail_job.id,
                        profile_id=who,
                        email=ADDRESS if who == pid else NEIGHBOUR,
                        state="sent",
                        sent_at=now,
                    ),
                    FlowJob(
                        run_id=run.id,
                        flow_id=flow.id,
                        node_id="wait",
                        due_at=now + timedelta(days=1),
                    ),
                    FlowAction(
                        flow_id=flow.id,
                        run_id=run.id,
                        node_id="t",
                        kind="trigger",
                        outcome="entered",
                    ),
                ]
            )
        # One submission with the profile's id, one that kept only the address.
        for with_id in (pid, None):
            s.add(
                FormSubmission(
                    account_id=account.id,
                    form_id=form.id,
                    form_version=1,
                    profile_id=with_id,
                    email=ADDRESS,
                    values={"email": ADDRESS},
                    visitor="anon-u-ada",
                )
            )
        return People(account, pid, other, flow.id, camp.id, seg.id, lst.id)

"""What erasure leaves behind on both databases: a person whose address comes back (an
import, a new sign-up) is never mailed by a flow or a campaign; an ingestion pass for the
person that runs while the erasure is in flight never attaches an event to the erased
profile (it fails on the foreign key and is retried, or waits), whatever the interleaving."""

from __future__ import annotations

import threading
import time
import uuid

from sqlalchemy import func, select

from backend.campaigns.mail import CampaignMail
from backend.email.suppression import can_email
from backend.privacy.audit import Actor
from backend.privacy.erase import erase_profile
from backend.store.campaign_models import Campaign
from backend.store.models import Event, Profile
from tests.privacy.conftest import ADDRESS, NEIGHBOUR, bearer

ME = Actor("user", "1", "owner@acme.test")


def identify(runtime, account_id: str, user: str, email: str) -> None:
    from backend.ingest import ingestor

    ingestor(runtime).accept(
        account_id,
        [
            {
                "type": "identify",
                "userId": user,
                "messageId": str(uuid.uuid4()),
                "traits": {"email": email},
            }
        ],
    )


def test_an_address_that_comes_back_is_never_mailed(client, runtime, people):
    from backend.ingest import ingestor

    assert (
        client.delete(f"/api/profiles/{people.pid}", headers=bearer(people.account)).status_code
        == 204
    )
    identify(runtime, people.account.id, "u-ada-again", "  Ada@Example.com ")
    ingestor(runtime).drain()
    with runtime.db.session() as s:
        back = s.scalar(select(Profile).where(Profile.email == ADDRESS))
        assert back is not None and back.id != people.pid
        back.email_status = "subscribed"  # as an import with consent would set it
        s.flush()
        neighbour = s.scalar(select(Profile).where(Profile.email == NEIGHBOUR))
        assert not can_email(back)  # a flow's e-mail step checks this at sending time
        assert can_email(neighbour)
        campaign = s.get(Campaign, people.campaign_id)
        campaign.subject, campaign.body = "Hi", "Deals"
        one = CampaignMail(runtime.settings, lambda *_: None).prepare(s, campaign, "A")
        assert one(back, back.email) is None  # the campaign sender marks it suppressed
        assert one(neighbour, neighbour.email).rcpt == NEIGHBOUR


def test_an_ingestion_pass_during_the_erasure_never_revives_the_profile(runtime, people):
    from backend.ingest import ingestor

    erased, go, failures = threading.Event(), threading.Event(), []

    def erase() -> None:
        with runtime.db.session() as s:
            erase_profile(s, people.account.id, people.pid, ME)
            s.flush()
            erased.set()
            go.wait(30)  # committed only once the pass below is under way

    def ingest() -> None:
        try:
            ingestor(runtime).drain()
        except Exception as exc:  # the pass failed whole; the jobs process retries it
            failures.append(exc)

    eraser = threading.Thread(target=erase)
    eraser.start()
    assert erased.wait(30)
    from backend.ingest import ingestor as make

    make(runtime).accept(
        people.account.id,
        [
            {
                "type": "track",
                "userId": "u-ada",
                "event": "Placed Order",
                "messageId": str(uuid.uuid4()),
                "properties": {"revenue": 7},
                "context": {"traits": {"email": ADDRESS}},
            }
        ],
    )
    passer = threading.Thread(target=ingest)
    passer.start()
    time.sleep(0.5)  # let the pass reach the locked rows (either order must be safe)
    go.set()
    eraser.join(30)
    passer.join(60)
    make(runtime).drain()  # the retry of a pass that failed (a no-op when none did)
    with runtime.db.session() as s:
        assert s.scalar(select(func.count()).where(Event.profile_id == people.pid)) == 0
        assert s.get(Profile, people.pid) is None
        back = s.scalar(select(Profile).where(Profile.external_id == "u-ada"))
        assert back is not None and back.id != people.pid  # the new event: a new profile
        orders = s.scalars(select(Event.revenue).where(Event.profile_id == back.id)).all()
        assert orders == [7]
        assert not can_email(back)

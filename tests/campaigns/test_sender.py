"""The sender against a real SMTP server (aiosmtpd) over the real pool, on both stores:
each recipient once, refusals failed with the reply, suppression and smart sending, SMTP
going down mid-send, pause / resume / cancel, A/B winner."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from backend.store.campaign_models import CampaignRecipient
from backend.store.models import Event
from tests.campaigns.conftest import add_people, bearer, campaign_body


def _start(client, account, **over) -> int:
    h = bearer(account)
    r = client.post("/api/campaigns", json=campaign_body(**over), headers=h)
    assert r.status_code == 201, r.json
    cid = r.json["id"]
    assert client.post(f"/api/campaigns/{cid}/send", json={}, headers=h).status_code == 200
    return cid


def _get(client, account, cid) -> dict:
    return client.get(f"/api/campaigns/{cid}", headers=bearer(account)).json


def _rows(runtime, cid) -> list[CampaignRecipient]:
    with runtime.db.session() as s:
        return list(
            s.scalars(select(CampaignRecipient).where(CampaignRecipient.campaign_id == cid))
        )


def test_each_recipient_gets_one_personalised_email(client, account, runtime, smtp, make_sender):
    add_people(runtime, account.id, 20, "Newsletter")
    add_people(runtime, account.id, 2, "Newsletter", prefix="gone", status="unsubscribed")
    add_people(runtime, account.id, 2, "Newsletter", prefix="refused")
    cid = _start(client, account)
    make_sender(batch=10, processes=2).run_until_idle()  # a batch split over 2 processes
    got = Counter(str(m["To"]) for m in smtp.handler.messages)
    assert sorted(got) == sorted(f"p{i}@example.com" for i in range(20))
    assert set(got.values()) == {1}
    one = next(m for m in smtp.handler.messages if str(m["To"]) == "p3@example.com")
    assert str(one["Subject"]) == "Hi Name3, 30% off today"
    assert one["List-Unsubscribe"] and one["List-Unsubscribe-Post"]
    c = _get(client, account, cid)
    assert c["status"] == "sent"
    st = c["stats"]
    assert (st["recipients"], st["sent"], st["failed"], st["suppressed"], st["unknown"]) == (
        22,
        20,
        2,
        2,
        0,
    )
    failed = [r for r in _rows(runtime, cid) if r.state == "failed"]
    assert all(r.reply.startswith("550") and "no such mailbox" in r.reply for r in failed)
    # Sending it again is refused, and nothing more goes out.
    h = bearer(account)
    assert client.post(f"/api/campaigns/{cid}/send", json={}, headers=h).status_code == 409
    assert client.put(f"/api/campaigns/{cid}", json=campaign_body(), headers=h).status_code == 409
    make_sender().run_until_idle()
    assert len(smtp.handler.messages) == 20


def test_smart_sending_skips_who_got_mail_recently(client, account, runtime, smtp, make_sender):
    add_people(runtime, account.id, 6, "Newsletter")
    first = _start(client, account, audience={"lists": ["Newsletter"]})
    make_sender().run_until_idle()
    add_people(runtime, account.id, 3, "Newsletter", prefix="new")
    second = _start(client, account, name="Cyber Monday")
    make_sender().run_until_idle()
    assert _get(client, account, first)["stats"]["sent"] == 6
    st = _get(client, account, second)["stats"]
    assert (st["sent"], st["skipped"], st["recipients"]) == (3, 6, 9)
    third = _start(client, account, name="Again", smart_sending_hours=0)
    make_sender().run_until_idle()
    assert _get(client, account, third)["stats"]["sent"] == 9
    assert len(smtp.handler.messages) == 6 + 3 + 9


def test_smtp_down_mid_send_pauses_then_resumes_without_doubles(
    client, account, runtime, smtp, make_sender, clock
):
    add_people(runtime, account.id, 30, "Newsletter")
    cid = _start(client, account)
    sender = make_sender(batch=5, retry_after=30)
    sender.tick()
    sender.tick()
    smtp.stop()
    sender.tick()  # the server is gone: the campaign pauses with the reason
    c = _get(client, account, cid)
    assert c["status"] == "paused" and "SMTP server is unavailable" in c["error"]
    sender.tick()
    assert _get(client, account, cid)["status"] == "paused"  # not before its retry time
    smtp.start()
    clock.advance(seconds=31)
    sender.run_until_idle()
    c = _get(client, account, cid)
    assert c["status"] == "sent" and c["error"] is None
    got = Counter(str(m["To"]) for m in smtp.handler.messages)
    assert len(got) == 30 and set(got.values()) == {1}
    assert c["stats"]["sent"] + c["stats"]["unknown"] == 30


def test_pause_resume_and_cancel_while_sending(client, account, runtime, smtp, make_sender):
    add_people(runtime, account.id, 12, "Newsletter")
    h = bearer(account)
    cid = _start(client, account)
    sender = make_sender(batch=4)
    sender.tick()
    assert client.post(f"/api/campaigns/{cid}/pause", headers=h).json["status"] == "paused"
    sender.run_until_idle()
    assert len(smtp.handler.messages) == 4
    assert client.post(f"/api/campaigns/{cid}/resume", headers=h).json["status"] == "sending"
    sender.tick()
    assert client.post(f"/api/campaigns/{cid}/cancel", headers=h).json["status"] == "cancelled"
    sender.run_until_idle()
    assert len(smtp.handler.messages) == 8
    c = _get(client, account, cid)
    assert c["status"] == "cancelled" and c["stats"]["sent"] == 8


def test_ab_winner_by_human_opens_goes_to_the_rest(
    client, account, runtime, smtp, make_sender, clock
):
    add_people(runtime, account.id, 60, "Newsletter")
    ab = {
        "subjects": ["Subject A", "Subject B", "Subject C"],
        "test_percent": 50,
        "pick_after_minutes": 60,
        "by": "opens",
    }
    cid = _start(client, account, ab=ab)
    sender = make_sender()
    sender.run_until_idle()
    test_share = len(smtp.handler.messages)
    assert 0 < test_share < 60
    assert {str(m["Subject"]) for m in smtp.handler.messages} == set(ab["subjects"])
    # People open B; a mail scanner "opens" every C (machine opens do not count).
    rows = {r.profile_id: r for r in _rows(runtime, cid)}
    with runtime.db.session() as s:
        for r in rows.values():
            if r.variant in "BC" and r.state == "sent":
                s.add(
                    Event(
                        account_id=account.id,
                        message_id=f"open-{r.id}",
                        profile_id=r.profile_id,
                        metric="Opened Email",
                        ts=clock.now,
                        properties={
                            "campaign": str(cid),
                            "variant": r.variant,
                            "machine": r.variant == "C",
                        },
                    )
                )
    clock.advance(minutes=61)
    sender.run_until_idle()
    c = _get(client, account, cid)
    assert c["winner"] == "B" and c["status"] == "sent"
    rest = smtp.handler.messages[test_share:]
    assert rest and {str(m["Subject"]) for m in rest} == {"Subject B"}
    assert len({str(m["To"]) for m in smtp.handler.messages}) == 60 == len(smtp.handler.messages)
    report = client.get(f"/api/campaigns/{cid}/report", headers=bearer(account)).json
    by = {v["variant"]: v for v in report["variants"]}
    assert by["B"]["opened"] > 0 and by["C"]["opened"] == 0


def test_report_counts_people_and_attributes_revenue(client, account, runtime, make_sender):
    add_people(runtime, account.id, 4, "Newsletter")
    cid = _start(client, account)
    make_sender().run_until_idle()
    rows = sorted(_rows(runtime, cid), key=lambda r: r.id)
    from datetime import timedelta

    from backend.store.campaign_models import Campaign

    # As if it went out 8 hours ago, so what followed is in the past.
    sent_at = rows[0].sent_at - timedelta(hours=8)
    with runtime.db.session() as s:
        s.get(Campaign, cid).started_at = sent_at - timedelta(minutes=1)

    def ev(n, r, metric, hours, **props):
        return Event(
            account_id=account.id,
            message_id=f"m-{n}",
            profile_id=r.profile_id,
            metric=metric,
            ts=sent_at + timedelta(hours=hours),
            revenue=props.pop("revenue", None),
            properties={"campaign": str(cid), "variant": "A", **props},
        )

    with runtime.db.session() as s:
        s.add_all(
            [
                ev(1, rows[0], "Opened Email", 1, machine=False),
                ev(2, rows[0], "Clicked Email", 1.5, machine=False, url="https://shop.example/bf"),
                ev(3, rows[0], "Placed Order", 3, revenue=42.5),
                ev(4, rows[1], "Opened Email", 0.1, machine=True),  # a privacy proxy, not a person
                ev(5, rows[1], "Placed Order", 2, revenue=99.0),  # no human touch: not attributed
                ev(6, rows[2], "Unsubscribed", 4),
            ]
        )
    c = _get(client, account, cid)
    st = c["stats"]
    assert (st["opened"], st["clicked"], st["unsubscribed"], st["revenue"]) == (1, 1, 1, 42.5)
    report = client.get(f"/api/campaigns/{cid}/report", headers=bearer(account)).json
    assert report["machine_opened"] == 1
    assert report["links"] == [{"url": "https://shop.example/bf", "clicks": 1, "people": 1}]
    assert report["progress"]["done"] == 4 and report["over_time"]

"""kill -9 a real sender process mid-send, twice, then let a new one finish: the SMTP server
received every recipient's e-mail at most once, every recipient recorded as sent got it,
and nothing is left behind (no gap). Whoever was caught between the hand-over and its
record is `unknown`, never sent twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter

from sqlalchemy import select

from backend.store.campaign_models import Campaign, CampaignRecipient
from tests.campaigns.conftest import add_people, bearer, campaign_body
from tests.live_server import ROOT

N = 600
PROCESSES, WORKERS = 2, 4  # the runner's defaults on this 2-core machine


def _sender(settings, smtp) -> subprocess.Popen:
    env = {
        **os.environ,
        "TALLY_DATABASE_URL": settings.database_url,
        "TALLY_VAR_DIR": str(settings.var_dir),
        "TALLY_SECRET_KEY": settings.secret_key,
        "TALLY_SMTP_URL": smtp.handler.url,
        "TALLY_CAMPAIGN_RATE": "200",  # slow enough that each kill lands mid-send
    }
    log = open(settings.var_dir / "sender.log", "ab")
    return subprocess.Popen(
        [sys.executable, "-m", "backend.campaigns.runner"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=log,
    )


def _wait(pred, timeout=60.0, what=""):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def test_kill_9_twice_resumes_with_no_duplicate_and_no_gap(
    client, account, runtime, settings, smtp
):
    add_people(runtime, account.id, N, "Newsletter")
    h = bearer(account)
    cid = client.post("/api/campaigns", json=campaign_body(), headers=h).json["id"]
    assert client.post(f"/api/campaigns/{cid}/send", json={}, headers=h).status_code == 200
    received = smtp.handler.messages
    for at in (120, 330):
        proc = _sender(settings, smtp)
        try:
            _wait(lambda at=at: len(received) >= at, what=f"{at} e-mails")
        finally:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
        assert len(received) < N  # it died mid-send
    proc = _sender(settings, smtp)
    try:

        def done() -> bool:
            with runtime.db.session() as s:
                return s.get(Campaign, cid).status == "sent"

        _wait(done, what="the campaign to finish")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)

    got = Counter(str(m["To"]) for m in received)
    assert max(got.values()) == 1, [a for a, n in got.items() if n > 1]  # no duplicate
    with runtime.db.session() as s:
        rows = s.execute(
            select(CampaignRecipient.email, CampaignRecipient.state).where(
                CampaignRecipient.campaign_id == cid
            )
        ).all()
    state = dict(rows)
    assert len(state) == N
    assert set(state.values()) <= {"sent", "unknown"}  # no gap: nobody left pending
    sent = {e for e, st in state.items() if st == "sent"}
    unknown = {e for e, st in state.items() if st == "unknown"}
    assert sent <= set(got)  # recorded as sent -> the server has it
    assert set(got) <= sent | unknown  # the server has it -> recorded, or honestly unknown
    # At most the hand-overs in flight at each kill: every worker thread of every process.
    assert len(unknown) <= 2 * PROCESSES * WORKERS
    stats = client.get(f"/api/campaigns/{cid}", headers=h).json["stats"]
    assert stats["sent"] == len(sent) and stats["unknown"] == len(unknown)

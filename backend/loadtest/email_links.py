"""Real signed open and click links for the e-mail tracking scenario, made with Tally's own
signer (backend/email) the way compose() makes them, for recipients that exist on the target.

Needs the target's secret (TALLY_SECRET_KEY): known for a throwaway server; for --target
only when the operator's environment holds the target's. Every link is used once, so each
hit is a distinct open or click (Tally counts a repeated fetch within a minute once)."""

from __future__ import annotations

import time
from urllib.parse import quote

import requests

from backend.email.events import CLICKED, OPENED
from backend.email.tracking import signer_for

RECIPIENTS = 10
CLICK_URL = "https://shop.example/sale"  # never fetched: the generator does not follow it


def recipients(target, run_id: str, timeout_s: float = 60.0) -> list[int]:
    """Profile ids of a few load-test recipients, identified through /v1 and read back."""
    emails = [f"lt-r{i}-{run_id}@loadtest.invalid" for i in range(RECIPIENTS)]
    batch = [
        {
            "type": "identify",
            "userId": f"lt-r{i}-{run_id}",
            "traits": {"email": e},
            "messageId": f"lt-{run_id}-r{i}",
        }
        for i, e in enumerate(emails)
    ]
    r = requests.post(
        target.url + "/v1/batch", json={"batch": batch}, auth=(target.write_key, ""), timeout=30
    )
    r.raise_for_status()
    ids, deadline = [], time.monotonic() + timeout_s
    for email in emails:
        while True:
            r = requests.get(
                target.url + "/api/profiles",
                params={"email": email},
                headers=target.bearer(),
                timeout=30,
            )
            if r.ok:
                ids.append(int(r.json()["id"]))
                break
            if time.monotonic() > deadline:
                return ids
            time.sleep(0.3)
    return ids


def links(secret: str, account_id: str, profile_ids: list[int], count: int, run_id: str):
    """(open paths, click paths): `count` of each, every one distinct."""
    signer = signer_for(secret)
    sent = int(time.time()) - 3600  # an hour ago: a person's open, not a scanner's
    opens, clicks = [], []
    for i in range(count):
        payload = {
            "a": account_id,
            "p": profile_ids[i % len(profile_ids)],
            "s": {"campaign": f"lt{run_id}", "variant": str(i)},
            "t": sent,
            "j": "Load test",
        }
        token = signer.message_token(payload)
        opens.append(f"/e/o/{token}.gif")
        sig = signer.link_sig(token, CLICK_URL)
        clicks.append(f"/e/c/{token}/{sig}?u={quote(CLICK_URL, safe='')}")
    return opens, clicks


__all__ = ["CLICKED", "OPENED", "links", "recipients"]

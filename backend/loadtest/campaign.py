"""The campaign scenario's fixtures: a mail sink the throwaway server sends to, an audience
of load-test recipients (a segment), and the wait for the send to finish.

Only with the throwaway server: against --target the campaign would go out through that
server's real SMTP relay. The sink's count of delivered messages is the ledger's "Received
Email": Tally records one such event for each e-mail it handed over, exactly once."""

from __future__ import annotations

import logging
import threading
import time

import requests

RECEIVED = "Received Email"


class MailSink:
    """An SMTP server on loopback that accepts and counts messages, keeping none."""

    def __init__(self) -> None:
        from aiosmtpd.controller import Controller

        logging.getLogger("mail.log").setLevel(logging.WARNING)  # a line per connection
        self.count = 0
        self._lock = threading.Lock()
        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd)
                with sink._lock:
                    sink.count += 1
                return "250 OK"

        from backend.loadtest.target import free_port

        port = free_port()
        self._controller = Controller(Handler(), hostname="127.0.0.1", port=port)
        self._controller.start()
        self.url = f"smtp://127.0.0.1:{port}?from=shop@loadtest.invalid"

    def close(self) -> None:
        self._controller.stop()


def audience(target, run_id: str, n: int, timeout_s: float = 90.0) -> int:
    """A segment of `n` fresh recipients (identified through /v1); its id once it holds all."""
    batch = [
        {
            "type": "identify",
            "userId": f"lt-a{i}-{run_id}",
            "messageId": f"lt-{run_id}-a{i}",
            "traits": {"email": f"lt-a{i}-{run_id}@loadtest.invalid", "lt_run": run_id},
        }
        for i in range(n)
    ]
    for i in range(0, n, 500):
        r = requests.post(
            target.url + "/v1/batch",
            json={"batch": batch[i : i + 500]},
            auth=(target.write_key, ""),
            timeout=60,
        )
        r.raise_for_status()
    cond = {"type": "property", "field": "traits.lt_run", "op": "eq", "value": run_id}
    r = requests.post(
        target.url + "/api/segments",
        headers=target.bearer(),
        timeout=30,
        json={"name": f"Load test {run_id}", "conditions": [[cond]]},
    )
    r.raise_for_status()
    seg = r.json()["id"]
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        r = requests.get(f"{target.url}/api/segments/{seg}", headers=target.bearer(), timeout=30)
        if r.ok and r.json().get("count") == n:
            return seg
        time.sleep(0.5)
    raise TimeoutError(f"the load-test segment did not reach {n} members in {timeout_s:g} s")


def wait_sent(target, campaign_ids: list[int], timeout_s: float = 120.0) -> list[str]:
    """Wait until every campaign is sent; the problems left when the time is up."""
    deadline = time.monotonic() + timeout_s
    pending = list(campaign_ids)
    while pending and time.monotonic() < deadline:
        for cid in list(pending):
            r = requests.get(
                f"{target.url}/api/campaigns/{cid}", headers=target.bearer(), timeout=30
            )
            if r.ok and r.json().get("status") in ("sent", "cancelled"):
                pending.remove(cid)
        time.sleep(0.5)
    return [f"campaign {cid} was not sent within {timeout_s:g} s" for cid in pending]

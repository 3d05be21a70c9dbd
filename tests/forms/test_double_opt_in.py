"""Double opt-in over real SMTP: the profile joins the list only when the signed link is
opened, exactly once however often it is opened (both stores)."""

from __future__ import annotations

import re

import pytest

from backend.forms.starters import template
from backend.ingest import ingestor


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def form_id(client, account):
    body = template("newsletter_popup")
    body.update(double_opt_in=True, list="VIP")
    h = bearer(account.private_key)
    fid = client.post("/api/forms", json=body, headers=h).json["id"]
    client.post(f"/api/forms/{fid}/publish", headers=h)
    return fid


def _link(inbox, to: str) -> str:
    [msg] = [m for m in inbox.messages if m["To"] == to]
    assert "confirm" in str(msg["Subject"]).lower() and msg["From"] == "shop@acme.test"
    return re.search(r"https?://\S+", msg.get_content()).group(0)


def test_joins_the_list_only_after_confirming(client, account, form_id, inbox, runtime):
    h = bearer(account.private_key)
    r = client.post(
        f"/client/forms/{form_id}/submit?key={account.public_key}",
        json={"fields": {"email": "vip@example.com", "consent": True}},
    )
    assert r.status_code == 200 and r.json["status"] == "pending"
    ingestor(runtime).drain()
    p = client.get("/api/profiles?email=vip@example.com", headers=h).json
    assert p["lists"] == []
    assert [e["metric"] for e in p["events"]] == ["Submitted Form"]

    link = _link(inbox, "vip@example.com")
    path = link.split("://", 1)[1].partition("/")[2]
    page = client.get("/" + path)
    assert page.status_code == 200 and b"You have joined VIP" in page.data
    assert client.get("/" + path).status_code == 200  # a second click changes nothing
    ingestor(runtime).drain()
    p = client.get("/api/profiles?email=vip@example.com", headers=h).json
    assert p["lists"] == ["VIP"]
    assert sorted(e["metric"] for e in p["events"]) == ["Submitted Form", "Subscribed to List"]


def test_forged_or_altered_links_are_refused(client, account, form_id, inbox):
    client.post(
        f"/client/forms/{form_id}/submit?key={account.public_key}",
        json={"fields": {"email": "eve@example.com", "consent": True}},
    )
    link = _link(inbox, "eve@example.com")
    path = "/" + link.split("://", 1)[1].partition("/")[2]
    assert client.get(path[:-2] + ("AA" if not path.endswith("AA") else "BB")).status_code == 400
    assert client.get("/client/confirm/not-a-token").status_code == 400
    h = bearer(account.private_key)
    assert client.get("/api/profiles?email=eve@example.com", headers=h).json["lists"] == []


def test_mail_server_down_is_a_clear_503(client, account, form_id, inbox, runtime):
    runtime.settings = runtime.settings.with_(smtp_url="smtp://127.0.0.1:9")
    r = client.post(
        f"/client/forms/{form_id}/submit?key={account.public_key}",
        json={"fields": {"email": "late@example.com", "consent": True}},
    )
    assert r.status_code == 503 and "confirmation e-mail" in r.json["error"]
    runtime.settings = runtime.settings.with_(smtp_url=None)
    r = client.post(
        f"/client/forms/{form_id}/submit?key={account.public_key}",
        json={"fields": {"email": "late@example.com", "consent": True}},
    )
    assert r.status_code == 503 and "TALLY_SMTP_URL" in r.json["error"]

"""What flow tests share: a flow created and activated through /api/flows, and a profile
that identifies and orders through /v1."""

from __future__ import annotations

from tests.ingest.conftest import basic


def setup_flow(client, acc, definition):
    h = {"Authorization": f"Bearer {acc.private_key}"}
    fid = client.post("/api/flows", json=definition, headers=h).json["id"]
    assert client.post(f"/api/flows/{fid}/activate", headers=h).status_code == 200
    return fid, h


def identify_and_order(client, acc, user, email, name, revenue, mid):
    w = basic(acc.write_key)
    client.post(
        "/v1/identify",
        json={
            "userId": user,
            "traits": {"email": email, "first_name": name},
            "messageId": f"id-{mid}",
        },
        headers=w,
    )
    client.post(
        "/v1/track",
        json={
            "userId": user,
            "event": "Placed Order",
            "messageId": mid,
            "properties": {"revenue": revenue},
        },
        headers=w,
    )

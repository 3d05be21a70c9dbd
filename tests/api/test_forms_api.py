"""/api/forms: CRUD, validation naming fields, versions, publish, isolation (both stores)."""

from __future__ import annotations

from backend.forms.starters import template


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_create_get_update_publish_delete(client, account):
    h = bearer(account.private_key)
    body = template("newsletter_popup")
    r = client.post("/api/forms", json=body, headers=h)
    assert r.status_code == 201, r.json
    form = r.json
    assert form["status"] == "draft" and form["version"] == 1
    assert form["kind"] == "popup" and form["list"] == "Newsletter"
    assert [f["name"] for f in form["fields"]] == ["email", "first_name", "consent"]
    assert form["targeting"]["delay_seconds"] == 5
    fid = form["id"]

    assert client.get(f"/api/forms/{fid}", headers=h).json == form
    assert [f["id"] for f in client.get("/api/forms", headers=h).json["forms"]] == [fid]

    r = client.post(f"/api/forms/{fid}/publish", headers=h)
    assert r.status_code == 200
    assert r.json["status"] == "live" and r.json["published_version"] == 1

    body["texts"]["title"] = "New title"
    r = client.put(f"/api/forms/{fid}", json=body, headers=h)
    assert r.json["version"] == 2 and r.json["published_version"] == 1
    assert r.json["texts"]["title"] == "New title"
    versions = client.get(f"/api/forms/{fid}/versions", headers=h).json["versions"]
    assert [v["version"] for v in versions] == [2, 1]
    assert client.post(f"/api/forms/{fid}/publish", headers=h).json["published_version"] == 2

    dup = client.post(f"/api/forms/{fid}/duplicate", headers=h)
    assert dup.status_code == 201 and dup.json["name"] == "Newsletter popup (copy)"
    assert dup.json["status"] == "draft"

    assert client.delete(f"/api/forms/{fid}", headers=h).status_code == 204
    assert client.get(f"/api/forms/{fid}", headers=h).status_code == 404
    assert client.post(f"/api/forms/{fid}/publish", headers=h).status_code == 404


def test_creating_a_form_counts_the_form_dimension(client, account):
    h = bearer(account.private_key)
    client.post("/api/forms", json=template("footer_embed"), headers=h)
    assert "$form" in client.get("/api/account", headers=h).json["dimensions"]


def test_validation_names_the_fields(client, account):
    h = bearer(account.private_key)
    body = {
        "name": "",
        "kind": "banner",
        "fields": [
            {"name": "email", "type": "email", "required": True},
            {"name": "Bad Name", "type": "text"},
            {"name": "size", "type": "select", "options": []},
            {"name": "x", "type": "radio"},
        ],
        "style": {"background": "red", "radius": 99},
        "targeting": {
            "device": "tv",
            "countries": ["usa"],
            "delay_seconds": -1,
            "scroll_percent": 101,
        },
        "frequency": {"hide_days_after_close": "never"},
    }
    r = client.post("/api/forms", json=body, headers=h)
    assert r.status_code == 400
    paths = {p["path"] for p in r.json["problems"]}
    assert paths >= {
        "name",
        "kind",
        "fields[1].name",
        "fields[2].options",
        "fields[3].type",
        "style.background",
        "style.radius",
        "targeting.device",
        "targeting.countries",
        "targeting.delay_seconds",
        "targeting.scroll_percent",
        "frequency.hide_days_after_close",
    }
    assert "targeting.device" in r.json["error"]


def test_a_form_needs_one_required_email_field(client, account):
    h = bearer(account.private_key)
    r = client.post(
        "/api/forms",
        headers=h,
        json={"name": "No email", "fields": [{"name": "name", "type": "text"}]},
    )
    assert r.status_code == 400 and "exactly one field of type email" in r.json["error"]
    r = client.post("/api/forms", headers=h, data="nope", content_type="application/json")
    assert r.status_code == 400


def test_steps_must_place_every_field_once(client, account):
    h = bearer(account.private_key)
    body = template("newsletter_popup")
    body["steps"] = [{"fields": ["email"]}, {"fields": ["email", "nope"]}]
    r = client.post("/api/forms", json=body, headers=h)
    assert r.status_code == 400
    assert "steps[1].fields" in {p["path"] for p in r.json["problems"]}
    body["steps"] = [
        {"title": "Who", "fields": ["email"]},
        {"title": "More", "fields": ["first_name", "consent"]},
    ]
    r = client.post("/api/forms", json=body, headers=h)
    assert r.status_code == 201 and len(r.json["steps"]) == 2


def test_keys_and_accounts(client, account, make_account):
    other = make_account("Other")
    fid = client.post(
        "/api/forms", json=template("footer_embed"), headers=bearer(account.private_key)
    ).json["id"]
    oh = bearer(other.private_key)
    assert client.get(f"/api/forms/{fid}", headers=oh).status_code == 404
    assert (
        client.put(f"/api/forms/{fid}", json=template("footer_embed"), headers=oh).status_code
        == 404
    )
    assert client.delete(f"/api/forms/{fid}", headers=oh).status_code == 404
    assert client.get("/api/forms", headers=oh).json == {"forms": []}
    assert client.get("/api/forms").status_code == 401
    assert client.get("/api/forms", headers=bearer(account.public_key)).status_code == 401


def test_routes_are_documented(client):
    paths = client.get("/api/openapi.json").json["paths"]
    for p in ("/api/forms", "/api/forms/{form_id}", "/api/forms/{form_id}/publish"):
        assert p in paths

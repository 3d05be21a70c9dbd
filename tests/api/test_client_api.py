"""/client/* and /embed.js as a storefront uses them (public key, CORS), on both stores."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from backend.forms.starters import template
from backend.forms.submit import RATE_LIMIT
from backend.ingest import ingestor
from backend.store.models import List, ListMember

ORIGIN = {"Origin": "https://shop.example"}


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def live(client, account):
    """A published newsletter popup (list Newsletter, consent box) and a draft embed."""
    h = bearer(account.private_key)
    fid = client.post("/api/forms", json=template("newsletter_popup"), headers=h).json["id"]
    assert client.post(f"/api/forms/{fid}/publish", headers=h).status_code == 200
    draft = client.post("/api/forms", json=template("footer_embed"), headers=h).json["id"]
    return fid, draft


def _submit(client, account, fid, fields, **extra):
    return client.post(
        f"/client/forms/{fid}/submit?key={account.public_key}",
        json={"fields": fields, "visitor": "anon-1", **extra},
        headers=ORIGIN,
    )


def test_live_forms_show_published_only_without_internals(client, account, live):
    fid, _draft = live
    r = client.get(f"/client/forms?key={account.public_key}", headers=ORIGIN)
    assert r.status_code == 200
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert r.json["country"] is None  # 127.0.0.1 has no country
    assert r.headers["Cache-Control"].startswith("private")  # it holds the visitor's country
    [form] = r.json["forms"]
    assert form["id"] == fid and form["kind"] == "popup" and form["version"] == 1
    assert "list" not in form and "double_opt_in" not in form
    assert client.get("/client/forms?key=nope").status_code == 401
    assert client.get(f"/client/forms?key={account.private_key}").status_code == 401


def test_preflight_allows_any_origin(client, account, live):
    fid, _ = live
    r = client.options(
        f"/client/forms/{fid}/submit?key={account.public_key}",
        headers={
            **ORIGIN,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert r.status_code == 200
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in r.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in r.headers["Access-Control-Allow-Headers"]


def test_submit_creates_profile_list_member_consent_and_events(client, account, live, runtime):
    fid, _ = live
    r = _submit(
        client,
        account,
        fid,
        {"email": " Ada@Example.com ", "first_name": "<b>Ada</b>", "consent": True},
    )
    assert r.status_code == 200, r.json
    assert r.json == {"status": "subscribed", "message": "Thanks for subscribing!"}
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    ingestor(runtime).drain()
    h = bearer(account.private_key)
    p = client.get("/api/profiles?email=ada@example.com", headers=h).json
    assert p["traits"]["first_name"] == "<b>Ada</b>"  # stored as given, shown as text
    assert p["lists"] == ["Newsletter"]
    assert {e["metric"] for e in p["events"]} == {"Submitted Form", "Subscribed to List"}
    sub = next(e for e in p["events"] if e["metric"] == "Submitted Form")
    assert sub["properties"]["$form"] == str(fid)
    with runtime.db.session() as s:
        member = s.scalar(
            select(ListMember)
            .join(List, List.id == ListMember.list_id)
            .where(List.account_id == account.id)
        )
        assert member.consent_at is not None
    stats = client.get(f"/api/forms/{fid}/stats", headers=h).json
    assert stats["submits"] == 1 and stats["views"] == 0

    # The same person again: one profile, one membership, a second submission counted.
    assert (
        _submit(client, account, fid, {"email": "ada@example.com", "consent": "on"}).status_code
        == 200
    )
    ingestor(runtime).drain()
    p2 = client.get("/api/profiles?email=ada@example.com", headers=h).json
    assert p2["id"] == p["id"] and p2["lists"] == ["Newsletter"]
    assert client.get(f"/api/forms/{fid}/stats", headers=h).json["submits"] == 2


def test_views_are_counted_per_form(client, account, live, runtime):
    fid, draft = live
    for visitor in ("anon-9", "anon-9", "anon-9", "anon-10", "anon-11"):
        r = client.post(
            f"/client/forms/{fid}/view?key={account.public_key}",
            data=f'{{"visitor": "{visitor}"}}',
            content_type="text/plain",
        )
        assert r.status_code == 200  # a visitor's repeated views count once an hour
    assert (
        client.post(f"/client/forms/{draft}/view?key={account.public_key}", json={}).status_code
        == 404
    )
    _submit(client, account, fid, {"email": "bo@example.com", "consent": True})
    ingestor(runtime).drain()
    stats = client.get(f"/api/forms/{fid}/stats", headers=bearer(account.private_key)).json
    assert stats == {"views": 3, "submits": 1, "conversion": round(1 / 3, 4)}


def test_validation_names_the_fields(client, account, live, runtime):
    fid, _ = live
    r = _submit(client, account, fid, {"email": "not-an-address", "consent": False})
    assert r.status_code == 400
    assert set(r.json["fields"]) == {"email", "consent"}
    assert "email" in r.json["error"] and "consent" in r.json["error"]
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    r = client.post(
        f"/client/forms/{fid}/submit?key={account.public_key}",
        data="[1]",
        content_type="application/json",
    )
    assert r.status_code == 400
    r = _submit(client, account, fid, "nope")
    assert r.status_code == 400 and "fields" in r.json["fields"]
    ingestor(runtime).drain()
    assert (
        client.get(
            "/api/profiles?email=not-an-address@x.y", headers=bearer(account.private_key)
        ).status_code
        == 404
    )


def test_drafts_and_other_accounts_forms_refuse_submissions(client, account, live, make_account):
    fid, draft = live
    other = make_account("Other")
    assert _submit(client, account, draft, {"email": "a@b.co"}).status_code == 404
    r = client.post(
        f"/client/forms/{fid}/submit?key={other.public_key}",
        json={"fields": {"email": "a@b.co", "consent": True}},
    )
    assert r.status_code == 404


def test_honeypot_answers_like_success_but_records_nothing(client, account, live, runtime):
    fid, _ = live
    r = _submit(
        client,
        account,
        fid,
        {"email": "bot@spam.example", "consent": True},
        _hp="http://spam.example",
    )
    assert r.status_code == 200
    ingestor(runtime).drain()
    h = bearer(account.private_key)
    assert client.get("/api/profiles?email=bot@spam.example", headers=h).status_code == 404
    assert client.get(f"/api/forms/{fid}/stats", headers=h).json["submits"] == 0


def test_rate_limit_per_address(client, account, live):
    fid, _ = live
    codes = [_submit(client, account, fid, {"email": "x"}).status_code for _ in range(RATE_LIMIT)]
    assert codes == [400] * RATE_LIMIT
    r = _submit(client, account, fid, {"email": "late@example.com", "consent": True})
    assert r.status_code == 429 and "try again later" in r.json["error"]
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    other = client.post(
        f"/client/forms/{fid}/submit?key={account.public_key}",
        json={"fields": {"email": "z@example.com", "consent": True}},
        environ_base={"REMOTE_ADDR": "10.1.2.3"},
    )
    assert other.status_code == 200


def test_embed_js_redirects_to_a_long_cached_versioned_url(client, account):
    r = client.get(f"/embed.js?key={account.public_key}")
    assert r.status_code == 302
    assert "max-age=300" in r.headers["Cache-Control"]
    target = r.headers["Location"]
    assert target.startswith("/embed/") and f"key={account.public_key}" in target
    js = client.get(target)
    assert js.status_code == 200 and js.mimetype == "text/javascript"
    assert (
        "immutable" in js.headers["Cache-Control"]
        and "max-age=31536000" in js.headers["Cache-Control"]
    )
    stale = client.get(f"/embed/000000000000.js?key={account.public_key}")
    assert stale.status_code == 302 and stale.headers["Location"] == target
    assert client.get("/embed.js?key=wrong").status_code == 401
    assert client.get("/embed.js").status_code == 401


def test_the_visitor_country_comes_from_the_request_address(client, account, live, runtime):
    fid, _ = live
    r = client.get(
        f"/client/forms?key={account.public_key}", environ_base={"REMOTE_ADDR": "81.2.69.160"}
    )
    assert r.json["country"] == "GB"
    r = client.post(
        f"/client/forms/{fid}/submit?key={account.public_key}",
        json={"fields": {"email": "uk@example.com", "consent": True}},
        environ_base={"REMOTE_ADDR": "81.2.69.160"},
    )
    assert r.status_code == 200
    ingestor(runtime).drain()
    p = client.get("/api/profiles?email=uk@example.com", headers=bearer(account.private_key))
    assert p.json["country"] == "GB"
    assert {e["country"] for e in p.json["events"]} == {"GB"}


def test_one_address_cannot_inflate_views(client, account, live, runtime, monkeypatch):
    import backend.forms.submit as submit

    monkeypatch.setattr(submit, "VIEW_LIMIT", 5)
    fid, _ = live
    counted = [
        client.post(
            f"/client/forms/{fid}/view?key={account.public_key}", json={"visitor": f"bot-{i}"}
        ).json["counted"]
        for i in range(8)
    ]
    assert counted == [True] * 5 + [False] * 3
    ingestor(runtime).drain()
    stats = client.get(f"/api/forms/{fid}/stats", headers=bearer(account.private_key)).json
    assert stats["views"] == 5

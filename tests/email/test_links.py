"""The public links of a marketing e-mail through the Flask client: the tracking image,
tracked links (302 to the exact signed URL, anything else 404), and unsubscribing (RFC 8058
one-click POST; a GET only asks; tampered tokens change nothing)."""

from __future__ import annotations

import time
from urllib.parse import urlparse

import pytest

from backend.email.compose import EmailContext, compose
from backend.email.tokens import Signer
from tests.conftest import TEST_SECRET
from tests.email.conftest import profile_of, stored_events
from tests.email.helpers import parse

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120 Safari/537.36"
SOURCE = {"flow": 7, "node": "welcome", "list": "Newsletter"}


def mail(runtime, account, pid):
    from backend.store.models import Profile

    with runtime.db.session() as s:
        profile = s.get(Profile, pid)
        out = compose(
            EmailContext.for_account(runtime, account.id),
            profile,
            subject="Welcome {{ first_name }}",
            body="Shop now: https://shop.example.com/new?a=1&b=2",
            source=SOURCE,
        )
    return out, parse(out.msg.wire)


def path_of(url: str) -> str:
    u = urlparse(url)
    return u.path + (f"?{u.query}" if u.query else "")


def links_in(msg) -> tuple[str, str, str]:
    html = msg.get_body(("html",)).get_content()
    text = msg.get_body(("plain",)).get_content()
    click = next(w for w in text.split() if "/e/c/" in w)
    pixel = html.split('<img src="')[1].split('"')[0]
    unsub = msg["List-Unsubscribe"].strip("<>")
    return click, pixel.replace("&amp;", "&"), unsub


def test_a_human_open_and_a_click_are_recorded_and_the_click_lands_on_the_exact_url(
    runtime, client, account, shopper
):
    out, msg = mail(runtime, account, shopper)
    click, pixel, _ = links_in(msg)
    # A token sent an hour ago, opened in a browser: a human open.
    token = urlparse(pixel).path.split("/")[3].removesuffix(".gif")
    signer = Signer.from_secret(TEST_SECRET)
    payload = signer.read_message(token)
    old = signer.message_token({**payload, "t": int(time.time()) - 3600})
    r = client.get(f"/e/o/{old}.gif", headers={"User-Agent": BROWSER})
    assert r.status_code == 200 and r.mimetype == "image/gif"
    assert "no-store" in r.headers["Cache-Control"]
    r = client.get(path_of(click), headers={"User-Agent": BROWSER})
    assert r.status_code == 302 and r.headers["Location"] == "https://shop.example.com/new?a=1&b=2"
    opened = stored_events(runtime, "Opened Email")
    clicked = stored_events(runtime, "Clicked Email")
    assert [(o[1], o[2]["machine"], o[2]["flow"], o[2]["node"]) for o in opened] == [
        (shopper, False, "7", "welcome")
    ]
    assert opened[0][2]["subject"] == "Welcome Ann"
    # Clicked seconds after sending: a link scanner's click, kept but marked.
    assert [(c[1], c[2]["url"], c[2]["machine"]) for c in clicked] == [
        (shopper, "https://shop.example.com/new?a=1&b=2", True)
    ]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_an_immediate_or_scanner_open_is_a_machine_open_and_a_repeat_counts_once(
    runtime, client, account, shopper
):
    _, msg = mail(runtime, account, shopper)
    _, pixel, _ = links_in(msg)
    for _ in range(3):
        assert client.get(path_of(pixel), headers={"User-Agent": BROWSER}).status_code == 200
    assert (
        client.get(path_of(pixel), headers={"User-Agent": "Barracuda Scanner"}).status_code == 200
    )
    opened = stored_events(runtime, "Opened Email")
    assert len(opened) == 1 and opened[0][2]["machine"] is True


MUTATIONS = [
    lambda p, q: (p[:-2] + "xx", q),  # the link's signature
    lambda p, q: (p, q.replace("new", "old")),  # the target
    lambda p, q: (p, "u=https%3A%2F%2Fevil.example.com%2F"),  # somewhere else entirely
    lambda p, q: (p[:10] + ("A" if p[10] != "A" else "B") + p[11:], q),  # the token
    lambda p, q: (p, ""),  # no target
]


def test_a_link_tally_did_not_sign_is_404_and_never_redirects(runtime, client, account, shopper):
    _, msg = mail(runtime, account, shopper)
    click, _, _ = links_in(msg)
    u = urlparse(click)
    for mutate in MUTATIONS:
        path, query = mutate(u.path, u.query)
        r = client.get(path + ("?" + query if query else ""), headers={"User-Agent": BROWSER})
        assert r.status_code == 404 and "Location" not in r.headers, (path, query)
    assert stored_events(runtime, "Clicked Email") == []


def test_one_click_post_unsubscribes_once_and_a_get_only_asks(runtime, client, account, shopper):
    _, msg = mail(runtime, account, shopper)
    _, _, unsub = links_in(msg)
    page = client.get(path_of(unsub))
    assert page.status_code == 200 and b"Unsubscribe ann@example.com?" in page.data
    assert b"Only the list" in page.data  # the mail came from a list-triggered flow
    assert profile_of(runtime, shopper).email_status == "subscribed"
    for _ in range(2):
        r = client.post(path_of(unsub), data={"List-Unsubscribe": "One-Click"})
        assert r.status_code == 200
    p = profile_of(runtime, shopper)
    assert p.email_status == "unsubscribed" and "one-click" in p.email_status_reason
    unsubscribed = stored_events(runtime, "Unsubscribed")
    assert len(unsubscribed) == 1 and unsubscribed[0][2]["flow"] == "7"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_page_can_leave_only_the_list(runtime, client, account, shopper):
    from backend.store.models import ListMember

    _, msg = mail(runtime, account, shopper)
    _, _, unsub = links_in(msg)
    r = client.post(path_of(unsub), data={"scope": "list"})
    assert r.status_code == 200 and b"You left" in r.data
    assert profile_of(runtime, shopper).email_status == "subscribed"
    with runtime.db.session() as s:
        assert s.query(ListMember).filter_by(profile_id=shopper).count() == 0


def test_a_tampered_unsubscribe_token_is_4xx_and_changes_nothing(runtime, client, account, shopper):
    _, msg = mail(runtime, account, shopper)
    click, pixel, unsub = links_in(msg)
    token = urlparse(unsub).path.split("/")[3]
    for bad in (
        token[:-3] + "AAA",  # the signature
        "eyJhIjoiYWNjX3giLCJwIjoxfQ." + token.split(".")[1],  # another payload
        "not-a-token",
        urlparse(pixel).path.split("/")[3].removesuffix(".gif"),  # an open token
    ):
        assert client.get(f"/e/u/{bad}").status_code == 404
        r = client.post(f"/e/u/{bad}", data={"List-Unsubscribe": "One-Click"})
        assert 400 <= r.status_code < 500
    assert profile_of(runtime, shopper).email_status == "subscribed"
    assert stored_events(runtime, "Unsubscribed") == []


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_resubscribing_takes_a_ticked_box_and_the_confirmation_link(
    runtime, client, account, shopper, inbox
):
    _, msg = mail(runtime, account, shopper)
    _, _, unsub = links_in(msg)
    client.post(path_of(unsub), data={"scope": "all"})
    assert client.post(path_of(unsub) + "/resubscribe", data={}).status_code == 400
    r = client.post(path_of(unsub) + "/resubscribe", data={"consent": "yes"})
    assert r.status_code == 200 and b"Check your inbox" in r.data
    assert profile_of(runtime, shopper).email_status == "unsubscribed"
    confirm = next(w for w in inbox.to("ann@example.com")[-1].get_content().split() if "/e/s/" in w)
    assert client.get(path_of(confirm)).status_code == 200  # a GET confirms nothing
    assert profile_of(runtime, shopper).email_status == "unsubscribed"
    assert client.post(path_of(confirm)).status_code == 200
    assert profile_of(runtime, shopper).email_status == "subscribed"

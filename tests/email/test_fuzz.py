"""Fuzzed tokens and fuzzed inbound mail: anything that is not what Tally signed gets a
4xx (or is accepted and ignored, for mail), never a 500 or a changed profile."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.email.listener import BounceHandler
from tests.email.conftest import profile_of, stored_events
from tests.email.reports import arf, dsn

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
token_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_characters="/?#\x00"), max_size=300
)


@FUZZ
@given(token=token_text, sig=token_text, url=st.text(max_size=200))
def test_fuzzed_link_tokens_are_4xx_and_change_nothing(client, runtime, shopper, token, sig, url):
    t, g = quote(token or "x", safe=""), quote(sig or "x", safe="")
    answers = [
        client.get(f"/e/o/{t}.gif"),
        client.get(f"/e/c/{t}/{g}?u={quote(url, safe='')}"),
        client.get(f"/e/u/{t}"),
        client.post(f"/e/u/{t}", data={"List-Unsubscribe": "One-Click"}),
        client.post(f"/e/u/{t}", data={"scope": "all"}),
        client.post(f"/e/u/{t}/resubscribe", data={"consent": "yes"}),
        client.post(f"/e/s/{t}"),
    ]
    for r in answers:
        assert 400 <= r.status_code < 500, (r.request.path, r.status_code)
        assert "Location" not in r.headers
    assert profile_of(runtime, shopper).email_status == "subscribed"


def test_no_fuzzed_request_recorded_an_event(client, runtime, shopper):
    # Near-misses of real tokens, then the store (drained): no event was recorded.
    for bad in ("a.b", "eyJhIjoxfQ.AAAA", "x" * 5000, "..", "ñ.ñ"):
        client.get(f"/e/o/{quote(bad)}.gif")
        client.post(f"/e/u/{quote(bad)}", data={"List-Unsubscribe": "One-Click"})
    assert stored_events(runtime) == []


status = st.from_regex(r"[0-9]\.[0-9]{1,3}\.[0-9]{1,3}", fullmatch=True) | st.text(max_size=20)
action = st.sampled_from(["failed", "delayed", "delivered", "relayed", "", "FAILED"]) | st.text(
    max_size=15
)
rcpt = st.emails().map(str) | st.text(max_size=80)


@FUZZ
@given(
    raw=st.binary(max_size=3000)
    | st.builds(
        lambda s, a: dsn(
            s.replace("\n", " ").replace("\r", " "), a.replace("\n", " ").replace("\r", " ")
        ),
        status,
        action,
    )
    | st.builds(lambda h: arf(h), st.text(max_size=400)),
    rcpts=st.lists(rcpt, max_size=3),
)
def test_fuzzed_inbound_mail_is_accepted_or_retried_and_changes_no_profile(
    runtime, shopper, raw, rcpts
):
    reply = BounceHandler(runtime, emit=lambda *_: None).process(rcpts, raw)
    assert reply.startswith("250")
    assert profile_of(runtime, shopper).email_status == "subscribed"

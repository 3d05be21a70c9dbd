"""compose: what every marketing e-mail carries (both parts, tracked links, the tracking
image, RFC 8058 headers, a footer, VERP) and a DKIM signature dkimpy's verifier accepts."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlparse

import dkim
import pytest

from backend.email.compose import EmailContext, compose
from backend.email.dkim_sign import DkimKey
from backend.email.render import TemplateInvalid
from backend.email.tokens import Signer
from backend.errors import Invalid
from tests.conftest import TEST_SECRET
from tests.email.helpers import dkim_key, email_settings, parse, person

BODY = (
    "Hi {{ first_name }},\n\nOur sale: https://shop.example.com/sale?x=1&y=2.\n"
    "Your order {{ event.order_id }} (https://shop.example.com/o/{{ event.order_id }}).\n\nBye"
)


def build(settings, **kw):
    ctx = EmailContext.for_account(settings, "acc_1")
    kw.setdefault("source", {"flow": 3, "node": "welcome-1"})
    return compose(
        ctx, person(), subject="Hello {{ first_name }}", body=BODY, event={"order_id": 77}, **kw
    )


def test_the_wire_bytes_hold_both_parts_tracked_links_and_unsubscribe(tmp_path):
    out = build(email_settings(tmp_path), preview_text="Ends soon")
    msg = parse(out.msg.wire)
    assert msg["Subject"] == "Hello Ann" and msg["To"] == "ann@example.com"
    assert msg["From"] == "Acme <shop@acme.test>"
    unsub = msg["List-Unsubscribe"].strip("<>")
    assert unsub.startswith("https://tally.acme.test/e/u/")
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "Hi Ann," in text and "Hi Ann," in html and "Ends soon" in html
    assert out.links == ["https://shop.example.com/sale?x=1&y=2", "https://shop.example.com/o/77"]
    signer = Signer.from_secret(TEST_SECRET)
    for original in out.links:
        assert original not in text.replace("Unsubscribe", "")  # only tracked copies
        tracked = [w.strip("().") for w in text.split() if "/e/c/" in w]
        found = [t for t in tracked if parse_qs(urlparse(t).query)["u"] == [original]]
        assert len(found) == 1
        _, _, _, token, sig = urlparse(found[0]).path.split("/")
        assert signer.check_link(token, original, sig)
        assert not signer.check_link(token, original + "x", sig)
    assert f"Unsubscribe: {unsub}" in text and unsub in html
    assert "/e/o/" in html and 'width="1"' in html
    assert out.mail_from.endswith("@bounce.acme.test")
    assert signer.read_verp(out.mail_from.split("@")[0]) == (42, "f3-welcome-1")
    assert out.message_key == "f3-welcome-1-p42"
    # Links name whom they are about only sealed: the address is in no token's bytes.
    tokens = [urlparse(unsub).path.split("/")[3].split(".")[0]]
    tokens += [urlparse(w.strip("().")).path.split("/")[3] for w in text.split() if "/e/c/" in w]
    for token in tokens:
        assert b"ann@example.com" not in base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
    # The object view agrees with the bytes.
    assert [p.get_content_type() for p in out.msg.get_payload()] == ["text/plain", "text/html"]
    assert out.msg["List-Unsubscribe"] == msg["List-Unsubscribe"]


def test_the_same_source_and_profile_give_the_same_key_and_message_id(tmp_path):
    settings = email_settings(tmp_path)
    a, b = build(settings), build(settings)
    assert a.message_key == b.message_key and a.msg["Message-ID"] == b.msg["Message-ID"]
    c = build(settings, source={"campaign": 9, "variant": "B"})
    assert c.message_key == "c9-B-p42" and c.message_key != a.message_key


@pytest.mark.parametrize(
    "subject,body,field",
    [
        ("Hi {{ first_name", "ok", "subject"),
        ("ok", "line\n{% if %}", "body"),
        ("ok", "{{ first_name | shout }}", "body"),
        ("ok", "{{ (first_name | length) / 0 }}", "body"),
    ],
)
def test_a_broken_placeholder_is_invalid_and_names_its_field(tmp_path, subject, body, field):
    ctx = EmailContext.for_account(email_settings(tmp_path), "acc_1")
    with pytest.raises(TemplateInvalid) as err:
        compose(ctx, person(), subject=subject, body=body, source={"flow": 1, "node": "n"})
    assert err.value.problems[0].startswith(f"{field}: ")


def test_a_missing_trait_renders_empty_and_a_bad_address_is_refused(tmp_path):
    ctx = EmailContext.for_account(email_settings(tmp_path), "acc_1")
    out = compose(
        ctx,
        person(),
        subject="{{ nope }}Hi",
        body="{{ event.a.b }}x{{ first_name.__class__.__mro__ }}",
        source={"flow": 1},
    )
    assert out.subject == "Hi"  # and the sandbox let no Python internals through:
    assert "object" not in parse(out.msg.wire).get_body(("plain",)).get_content()
    with pytest.raises(Invalid, match="email"):
        compose(ctx, person(email="a@b.test\r\nBcc: x@y.test"), subject="s", body="b", source={})


def test_dkim_signature_verifies_with_dkimpy_against_the_published_key(tmp_path):
    settings = email_settings(
        tmp_path,
        TALLY_DKIM_DOMAIN="acme.test",
        TALLY_DKIM_SELECTOR="tally1",
        TALLY_DKIM_KEY_FILE=dkim_key(tmp_path),
    )
    out = build(settings)
    record = DkimKey.from_settings(settings).public_record()

    def dns(name, timeout=5):
        assert name == b"tally1._domainkey.acme.test."
        return record.encode()

    assert dkim.verify(out.msg.wire, dnsfunc=dns)
    signed = parse(out.msg.wire)["DKIM-Signature"]
    for h in (
        "from",
        "to",
        "subject",
        "date",
        "message-id",
        "list-unsubscribe",
        "list-unsubscribe-post",
    ):
        assert h in signed.replace(" ", "").lower().split("h=")[1].split(";")[0].split(":")
    # One changed byte in the body, or a swapped unsubscribe header, fails verification.
    tampered = out.msg.wire.replace(b"Hi Ann,", b"Hi Bob,", 1)
    assert not dkim.verify(tampered, dnsfunc=dns)
    swapped = out.msg.wire.replace(
        b"List-Unsubscribe: <https://tally", b"List-Unsubscribe: <https://evil", 1
    )
    assert not dkim.verify(swapped, dnsfunc=dns)

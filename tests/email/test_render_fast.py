"""render's fast path (constant parts and slots, no Jinja per e-mail) gives Jinja's exact
output, and compose's bytes are the same with it as without it."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.email import compose as compose_mod
from backend.email import render as render_mod
from backend.email import tokens
from backend.email.compose import EmailContext, compose
from backend.email.render import placeholders, render, render_jinja
from tests.email.helpers import dkim_key, email_settings, parse, person

PIECES = [
    "Hi ",
    "{{ first_name }}",
    "{{ profile.first_name }}",
    "{{ event.order_id }}",
    "{{ event.a.b }}",
    "{{ missing }}",
    "{{ missing.x }}",
    "{{ email }}",
    "{{ profile.items }}",  # a dict method's name: Jinja's attribute rules
    "{{ range }}",  # a Jinja global
    "{{ first_name | upper }}",
    "{% if first_name %}yes{% endif %}",
    "{{ first_name ~ '!' }}",
    ", 30% off\n",
    "\r\n\n",
    "https://shop.example/{{ code }}",
    " {# a comment #} ",
    "\n",
]
VALUES = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.integers(),
    st.floats(allow_nan=False),
    st.booleans(),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.sampled_from(["a", "b"]), st.integers(), max_size=2),
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(PIECES), max_size=8),
    st.dictionaries(st.sampled_from(["first_name", "code", "profile", "items"]), VALUES),
    st.one_of(st.none(), st.dictionaries(st.sampled_from(["order_id", "a"]), VALUES)),
)
def test_the_fast_path_renders_what_jinja_renders(pieces, traits, event):
    source = "".join(pieces)
    ctx = placeholders(traits, event, "ann@example.com")
    assert render(source, ctx) == render_jinja(source, ctx)


@pytest.mark.parametrize("signed", [False, True])
def test_compose_bytes_are_the_same_with_and_without_the_fast_path(tmp_path, monkeypatch, signed):
    env = {"TALLY_DKIM_DOMAIN": "acme.test", "TALLY_DKIM_SELECTOR": "s1"} if signed else {}
    if signed:
        env["TALLY_DKIM_KEY_FILE"] = dkim_key(tmp_path)
    ctx = EmailContext.for_account(email_settings(tmp_path, **env), "acc_1")
    monkeypatch.setattr(compose_mod.time, "time", lambda: 1_800_000_000)
    monkeypatch.setattr(tokens.os, "urandom", lambda n: b"\x01" * n)
    people = [
        person(),
        person(7, "bo@example.org", first_name="Bø <b> & 'c'"),
        person(8, "cy@example.net", first_name=None),
        person(9, "di@example.com", first_name=12.5, city="Lyon"),
        person(10, "ed@example.com", first_name=["x"]),
    ]
    people[4].traits.pop("first_name")
    body = (
        "Hello {{ first_name }} from {{ profile.city }},\n\nShop: https://shop.example/bf\n"
        "Order {{ event.order_id }} {{ first_name | upper }}\n"
    )

    def all_wires():
        return [
            compose(
                ctx,
                p,
                subject="Hi {{ first_name }}, 30% off",
                body=body,
                source={"campaign": 3, "variant": "A"},
                preview_text="For {{ first_name }}",
                event={"order_id": 77},
            ).wire
            for p in people
        ]

    fast = all_wires()
    monkeypatch.setattr(render_mod, "_plan", lambda source, field: None)
    assert fast == all_wires()


def test_a_subject_beyond_ascii_goes_out_encoded_and_reads_back_the_same(tmp_path):
    ctx = EmailContext.for_account(email_settings(tmp_path), "acc_1")
    name = "Zoë 🎉 " + "très long " * 12
    out = compose(
        ctx,
        person(first_name=name),
        subject="Hi {{ first_name }}",
        body="x",
        source={"campaign": 1},
    )
    assert out.wire.isascii()
    assert str(parse(out.wire)["Subject"]) == " ".join(f"Hi {name}".split())

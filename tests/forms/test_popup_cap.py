"""The account's popup cap (how many different popups a visitor sees a day) as the storefront
receives it with the live forms, on both stores; bad values change nothing."""

from __future__ import annotations

import pytest

from backend.accounts.service import create_account
from backend.forms.popup_cap import (
    PopupCapInvalid,
    get_popups_per_day,
    set_popups_per_day,
)
from backend.forms.starters import template


def _served(client, account) -> dict:
    r = client.get(f"/client/forms?key={account.public_key}")
    assert r.status_code == 200
    return r.json


def test_the_cap_is_served_with_the_live_forms(client, runtime, account):
    h = {"Authorization": f"Bearer {account.private_key}"}
    fid = client.post("/api/forms", json=template("newsletter_popup"), headers=h).json["id"]
    assert client.post(f"/api/forms/{fid}/publish", headers=h).status_code == 200

    body = _served(client, account)
    assert body["popups_per_day"] == 2  # the default, what embed.js did before
    # The existing fields are still there, unchanged in shape.
    assert body["country"] is None and [f["id"] for f in body["forms"]] == [fid]

    with runtime.db.session() as s:
        set_popups_per_day(s, account.id, 1)
    assert _served(client, account)["popups_per_day"] == 1

    with runtime.db.session() as s:
        assert set_popups_per_day(s, account.id, "none") is None
    assert _served(client, account)["popups_per_day"] is None  # no limit

    with runtime.db.session() as s:
        assert set_popups_per_day(s, account.id, "10") == 10
    assert _served(client, account)["popups_per_day"] == 10


def test_an_account_without_forms_still_gets_its_cap(client, runtime, make_account):
    other = make_account("Quiet Shop", email="quiet@shop.test")
    with runtime.db.session() as s:
        set_popups_per_day(s, other.id, 3)
    assert _served(client, other) == {"country": None, "forms": [], "popups_per_day": 3}


def test_bad_values_say_why_and_save_nothing(db):
    with db.session() as s:
        acc_id = create_account(s, "Capped Shop").id
        set_popups_per_day(s, acc_id, 4)
    for bad in [0, 11, -1, 2.5, "two", "", True, [2]]:
        with pytest.raises(PopupCapInvalid) as err, db.session() as s:
            set_popups_per_day(s, acc_id, bad)
        [problem] = err.value.problems
        assert problem.startswith("popups_per_day:") and "1 to 10" in problem, bad
        with db.session() as s:
            assert get_popups_per_day(s, acc_id) == 4, bad

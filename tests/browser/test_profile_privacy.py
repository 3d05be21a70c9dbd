"""A profile's privacy actions in a real browser: "Export data" downloads the JSON of
everything held on the person; "Delete" asks first, naming the person, then the profile is
gone and the profiles list no longer shows it (its neighbour stays)."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from backend.store.models import Profile
from tests.browser.a11y_checks import page_problems
from tests.browser.helpers import PASSWORD, log_in, open_page, settle, until

pytestmark = pytest.mark.browser

OWNER = "privacy@shop.test"


@pytest.fixture(scope="module")
def shop(live_app):
    """An account of its own with two people: Ada (to erase) and Bob (to keep)."""
    from backend.accounts.service import create_account
    from backend.ingest import ingestor

    rt = live_app.app.extensions["tally"]
    with rt.db.session() as s:
        acc = create_account(s, "Privacy Shop", email=OWNER, password=PASSWORD)
    msgs = []
    for user, first, email in (
        ("ada", "Ada", "ada@privacy.test"),
        ("bob", "Bob", "bob@privacy.test"),
    ):
        msgs += [
            {
                "type": "identify",
                "userId": user,
                "messageId": str(uuid.uuid4()),
                "traits": {"email": email, "first_name": first, "last_name": "Tester"},
            },
            {
                "type": "track",
                "userId": user,
                "event": "Placed Order",
                "messageId": str(uuid.uuid4()),
                "properties": {"revenue": 20},
            },
        ]
    ing = ingestor(rt)
    ing.accept(acc.id, msgs)
    ing.drain()
    with rt.db.session() as s:
        ada = s.scalar(
            select(Profile.id).where(
                Profile.account_id == acc.id, Profile.email == "ada@privacy.test"
            )
        )
    return acc, ada


def test_export_downloads_json_and_delete_asks_then_removes(dash_duo, live_app, shop):
    acc, ada = shop
    log_in(dash_duo, live_app, OWNER)
    open_page(dash_duo, f"{live_app.url}/profiles/{ada}")
    dash_duo.wait_for_text_to_equal("#profile-name", "Ada Tester")

    dash_duo.find_element("#profile-export").click()
    target = Path(dash_duo.download_path) / f"profile-{ada}.json"
    until(dash_duo, lambda _d: target.exists() and target.stat().st_size > 0, timeout=20)
    doc = json.loads(target.read_text())
    assert doc["profile"]["email"] == "ada@privacy.test"
    assert [e["metric"] for e in doc["events"]].count("Placed Order") == 1
    assert "bob@privacy.test" not in target.read_text()

    dash_duo.find_element("#profile-delete").click()
    until(
        dash_duo,
        lambda d: (
            "Delete Ada Tester (ada@privacy.test)?"
            in d.find_element("css selector", "[role=dialog]").text
        ),
    )
    assert page_problems(dash_duo.driver) == []
    dash_duo.find_element("#profile-delete-cancel").click()  # changing one's mind keeps it
    dash_duo.wait_for_no_elements("#profile-delete-confirm")
    dash_duo.find_element("#profile-delete").click()
    dash_duo.wait_for_element("#profile-delete-confirm").click()
    dash_duo.wait_for_element("#profiles-table")
    settle(dash_duo)
    listed = dash_duo.find_element("#profiles-table").text
    assert "bob@privacy.test" in listed and "ada@privacy.test" not in listed
    open_page(dash_duo, f"{live_app.url}/profiles/{ada}")
    dash_duo.wait_for_element("#profile-missing")
    # Settings shows the audit too: who asked, and which profile id; never the address.
    open_page(dash_duo, f"{live_app.url}/settings")
    shown = dash_duo.wait_for_element("#settings-privacy-audit").text
    assert f"Deleted profile #{ada}" in shown and f"Exported data of profile #{ada}" in shown
    assert OWNER in shown and "ada@privacy.test" not in shown
    audit = requests_audit(live_app, acc)
    assert [(e["action"], e["actor"]["name"]) for e in audit] == [
        ("delete", OWNER),
        ("export", OWNER),
    ]
    assert dash_duo.get_logs() == []


def requests_audit(live_app, acc) -> list[dict]:
    import requests

    r = requests.get(
        f"{live_app.url}/api/audit",
        headers={"Authorization": f"Bearer {acc.private_key}"},
        timeout=10,
    )
    r.raise_for_status()
    return r.json()["entries"]

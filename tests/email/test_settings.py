"""E-mail settings are checked at start; the Suppressions and Sending views' backends."""

from __future__ import annotations

import pytest

from backend.config import ConfigError, Settings
from backend.email import suppressions
from backend.email.dns import records
from backend.errors import Invalid, NotFound
from tests.email.conftest import profile_of, stored_events
from tests.email.helpers import dkim_key, email_settings


@pytest.mark.parametrize(
    "name,value",
    [
        ("TALLY_PUBLIC_URL", "tally.example.com"),
        ("TALLY_PUBLIC_URL", "ftp://tally.example.com"),
        ("TALLY_PUBLIC_URL", "https://tally.example.com/?a=1"),
        ("TALLY_BOUNCE_SMTP", "0.0.0.0"),
        ("TALLY_BOUNCE_SMTP", "host:99999"),
    ],
)
def test_a_malformed_email_setting_stops_start_naming_it(tmp_path, name, value):
    with pytest.raises(ConfigError, match=name):
        Settings.from_env({"TALLY_VAR_DIR": str(tmp_path), name: value}, env_file=None)


def test_public_url_loses_its_trailing_slash(tmp_path):
    s = Settings.from_env(
        {"TALLY_VAR_DIR": str(tmp_path), "TALLY_PUBLIC_URL": "https://t.example.com/x/"},
        env_file=None,
    )
    assert s.public_url == "https://t.example.com/x"


def test_sending_records_show_the_dkim_key_spf_mx_and_dmarc(tmp_path):
    plain = {r["type"] + " " + r["name"]: r for r in records(email_settings(tmp_path))}
    assert not plain["TXT SELECTOR._domainkey.YOUR-DOMAIN"]["ready"]
    signed = email_settings(
        tmp_path,
        TALLY_DKIM_DOMAIN="acme.test",
        TALLY_DKIM_SELECTOR="s1",
        TALLY_DKIM_KEY_FILE=dkim_key(tmp_path),
        TALLY_BOUNCE_SMTP="mx.acme.test:25",
    )
    found = {r["type"] + " " + r["name"]: r for r in records(signed)}
    assert found["TXT s1._domainkey.acme.test"]["value"].startswith("v=DKIM1; k=rsa; p=MII")
    assert found["TXT bounce.acme.test"]["value"].startswith("v=spf1")
    assert found["MX bounce.acme.test"]["value"] == "10 mx.acme.test."
    assert found["TXT _dmarc.acme.test"]["value"].startswith("v=DMARC1; p=none")


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_suppress_by_hand_lift_and_export(runtime, account, shopper):
    acc = account.id
    emitted = []
    with runtime.db.session() as s, pytest.raises(Invalid) as bad:
        suppressions.add(s, acc, "not an address", "", emitted.append)
    assert [p.split(":")[0] for p in bad.value.problems] == ["email", "reason"]
    with runtime.db.session() as s:
        suppressions.add(
            s, acc, "ANN@example.com", "asked on the phone", lambda a, m: emitted.append(m)
        )
        suppressions.add(s, acc, "new@example.com", "typo trap", None)
    assert profile_of(runtime, shopper).email_status == "unsubscribed"
    assert [m[0]["event"] for m in emitted] == ["Unsubscribed"]
    with runtime.db.session() as s:
        found = suppressions.search(s, acc, "example.com")
        assert found["total"] == 2
        assert suppressions.search(s, acc, "new@")["rows"][0]["reason"] == "by hand: typo trap"
        text = suppressions.export_csv(s, acc)
    assert text.splitlines()[0] == "email,status,since,reason"
    assert {line.split(",")[0] for line in text.splitlines()[1:]} == {
        "ann@example.com",
        "new@example.com",
    }
    with runtime.db.session() as s, pytest.raises(Invalid):
        suppressions.remove(s, acc, shopper, " ")
    with runtime.db.session() as s, pytest.raises(NotFound):
        suppressions.remove(s, "acc_other", shopper, "mine")
    with runtime.db.session() as s:
        suppressions.remove(s, acc, shopper, "she asked to come back")
    p = profile_of(runtime, shopper)
    assert p.email_status == "never_subscribed" and "come back" in p.email_status_reason
    assert stored_events(runtime) == []  # the emits above went to the list, not ingestion

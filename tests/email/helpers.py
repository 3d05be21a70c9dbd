"""Shared by the e-mail tests: settings with e-mail on, a profile, a DKIM key."""

from __future__ import annotations

import subprocess
from email import message_from_bytes, policy
from types import SimpleNamespace

from backend.config import Settings
from tests.conftest import TEST_SECRET


def email_settings(tmp_path, **env) -> Settings:
    return Settings.from_env(
        {
            "TALLY_VAR_DIR": str(tmp_path / "var"),
            "TALLY_SECRET_KEY": TEST_SECRET,
            "TALLY_SMTP_URL": "smtp://127.0.0.1:2525?from=Acme <shop@acme.test>",
            "TALLY_PUBLIC_URL": "https://tally.acme.test",
            "TALLY_BOUNCE_DOMAIN": "bounce.acme.test",
            **env,
        },
        env_file=None,
    )


def person(pid: int = 42, email: str = "ann@example.com", **traits) -> SimpleNamespace:
    return SimpleNamespace(
        id=pid,
        email=email,
        external_id=None,
        traits={"first_name": "Ann", **traits},
        email_status="subscribed",
        account_id="acc_1",
    )


def dkim_key(tmp_path) -> str:
    path = tmp_path / "dkim.pem"
    subprocess.run(
        ["openssl", "genrsa", "-traditional", "-out", str(path), "2048"],
        check=True,
        capture_output=True,
    )
    return str(path)


def parse(wire: bytes):
    return message_from_bytes(wire, policy=policy.default)

"""`tally account create NAME --json` as docs/api.md fixes it, and the keys it prints work."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from app import cli, create_app
from backend.config import Settings

ROOT = Path(__file__).resolve().parent.parent
SECRET = "cli-test-secret-0123456789abcdef"


@pytest.fixture
def env(tmp_path, db_url) -> dict[str, str]:
    return {
        "TALLY_VAR_DIR": str(tmp_path / "var"),
        "TALLY_DATABASE_URL": db_url,
        "TALLY_SECRET_KEY": SECRET,
    }


def create(env: dict[str, str], *args: str):
    return CliRunner().invoke(cli, ["account", "create", *args], env=env, catch_exceptions=False)


def test_account_create_json_prints_exactly_the_contract(env):
    result = create(env, "Acme Store", "--json")
    assert result.exit_code == 0, result.output
    created = json.loads(result.output)  # nothing but the JSON on stdout
    assert list(created) == ["id", "name", "write_key", "public_key", "private_key", "login"]
    assert list(created["login"]) == ["email", "password"]
    assert created["name"] == "Acme Store"
    assert created["id"].startswith("acc_")
    assert all(isinstance(v, str) and v for k, v in created.items() if k != "login")
    assert len({created["write_key"], created["public_key"], created["private_key"]}) == 3


def test_the_printed_keys_and_login_work(env):
    created = json.loads(create(env, "Acme Store", "--json").output)
    app = create_app(Settings.from_env(env, env_file=None))
    try:
        client = app.test_client()
        private = {"Authorization": f"Bearer {created['private_key']}"}
        assert client.get("/api/account", headers=private).get_json()["id"] == created["id"]
        # Only the private key opens /api; the write key opens /v1.
        wrong = {"Authorization": f"Bearer {created['write_key']}"}
        assert client.get("/api/account", headers=wrong).status_code == 401
        resp = client.post(
            "/v1/track",
            json={"userId": "u1", "event": "Placed Order"},
            auth=(created["write_key"], ""),
        )
        assert resp.status_code == 200 and resp.get_json() == {"success": True}
        listed = client.get("/api/keys", headers=private).get_json()["keys"]
        assert created["public_key"] in [k["masked"] for k in listed]
        login = client.post("/login", json=created["login"])
        assert login.status_code == 200 and login.get_json()["account"] == created["id"]
    finally:
        app.extensions["tally"].close()


def test_chosen_email_and_password_and_a_readable_summary(env):
    result = create(env, "Shop", "--email", "Me@Shop.test", "--password", "s3cret-enough")
    assert result.exit_code == 0
    assert "me@shop.test / s3cret-enough" in result.output
    assert "never shown again" in result.output
    again = create(env, "Shop 2", "--email", "me@shop.test", "--json")
    assert again.exit_code == 2
    assert "already exists" in again.output and "Traceback" not in again.output


@pytest.mark.parametrize("name", ["", "   "])
def test_an_empty_name_is_a_usage_error(env, name):
    result = create(env, name, "--json")
    assert result.exit_code == 2
    assert "account name must not be empty" in result.output


def test_the_installed_tally_command(tmp_path):
    """The real entry point, as `make demo` and users run it (SQLite under TALLY_VAR_DIR)."""
    tally = Path(sys.executable).parent / "tally"
    env = {
        **os.environ,
        "TALLY_VAR_DIR": str(tmp_path / "var"),
        "TALLY_SECRET_KEY": SECRET,
    }
    env.pop("TALLY_DATABASE_URL", None)
    out = subprocess.run(
        [str(tally), "account", "create", "Demo", "--json"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    created = json.loads(out)
    assert created["name"] == "Demo"
    assert (tmp_path / "var" / "tally.sqlite3").is_file()
    same = subprocess.run(
        [sys.executable, str(ROOT / "app.py"), "account", "create", "Demo 2", "--json"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    assert json.loads(same)["id"] != created["id"]


@pytest.mark.parametrize(
    ("setting", "says"),
    [
        (
            {"TALLY_DATABASE_URL": "postgresql://tally:hunter2@127.0.0.1:1/tally"},
            "Error: cannot connect to the database at postgresql+psycopg://tally:***@127.0.0.1:1/"
            "tally (connection failed",
        ),
        (
            {"TALLY_DATABASE_URL": "mysql://u:p@db/tally"},
            "Error: TALLY_DATABASE_URL must be sqlite:///PATH or postgresql://",
        ),
        (
            {"TALLY_DATABASE_URL": "sqlite:////proc/no-such-dir/tally.sqlite3"},
            "Error: cannot create the folder of the SQLite database",
        ),
        ({"TALLY_COUNTERS": "redis"}, "Error: TALLY_COUNTERS must be 'sqlite' or 'cassandra'"),
    ],
)
def test_a_setting_to_fix_is_one_line_saying_what_not_a_traceback(tmp_path, setting, says):
    """They were tracebacks of 40-140 lines, with what to fix at the bottom, if at all."""
    env = {
        **os.environ,
        "TALLY_VAR_DIR": str(tmp_path / "var"),
        "TALLY_SECRET_KEY": SECRET,
        **setting,
    }
    if "TALLY_DATABASE_URL" not in setting:
        env.pop("TALLY_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, str(ROOT / "app.py"), "migrate"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    errors = [line for line in done.stderr.splitlines() if " INFO " not in line]
    assert len(errors) == 1 and errors[0].startswith(says), done.stderr
    assert "hunter2" not in done.stderr

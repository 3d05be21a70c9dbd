"""Kafka down: at start, `tally serve` and `tally consume` say so in one line and exit 2;
while serving, ingestion answers 503 with Retry-After (nothing acknowledged) and the rest of
the console keeps answering."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import TEST_SECRET
from tests.queue.conftest import basic, messages, new_account

ROOT = Path(__file__).resolve().parents[2]


def closed_port() -> str:
    """An address where no broker listens (a port just freed)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{s.getsockname()[1]}"


@pytest.mark.parametrize("args", [["serve", "--port", "0"], ["consume", "counting"]])
def test_no_broker_at_start_is_one_line_and_exit_2(tmp_path, args):
    env = {
        **os.environ,
        "TALLY_VAR_DIR": str(tmp_path / "var"),
        "TALLY_DATABASE_URL": f"sqlite:///{tmp_path / 'tally.sqlite3'}",
        "TALLY_SECRET_KEY": TEST_SECRET,
        "TALLY_QUEUE": "kafka",
        "TALLY_KAFKA_BOOTSTRAP": closed_port(),
    }
    done = subprocess.run(
        [sys.executable, "app.py", *args], cwd=ROOT, env=env, capture_output=True, timeout=60
    )
    assert done.returncode == 2
    err = done.stderr.decode().strip().splitlines()
    assert len(err) == 1, err
    assert err[0].startswith("Error: cannot reach Kafka at 127.0.0.1:")
    assert "TALLY_KAFKA_BOOTSTRAP" in err[0]


def test_broker_down_while_serving_is_503_and_the_console_works(tmp_path):
    from app import create_app
    from tests.conftest import make_settings

    settings = make_settings(
        tmp_path,
        f"sqlite:///{tmp_path / 'tally.sqlite3'}",
        TALLY_QUEUE="kafka",
        TALLY_KAFKA_BOOTSTRAP=closed_port(),
    )
    app = create_app(settings, ui=False)
    rt = app.extensions["tally"]
    try:
        acc = new_account(rt)
        client = app.test_client()
        r = client.post("/v1/batch", json={"batch": messages(3)}, headers=basic(acc.write_key))
        assert r.status_code == 503
        assert r.headers["Retry-After"] == "5"
        assert "nothing of it was accepted" in r.get_json()["error"]
        # The console reads on: the account, and /healthz with the queue's state.
        key = {"Authorization": f"Bearer {acc.private_key}"}
        assert client.get("/api/account", headers=key).status_code == 200
        health = client.get("/healthz")
        assert health.status_code == 200
        assert "cannot reach Kafka" in health.get_json()["queue"]["error"]
    finally:
        rt.close()

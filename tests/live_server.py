"""Run `tally serve` (gunicorn, real worker processes) as a subprocess for end-to-end tests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from backend.config import Settings

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children(master: int) -> dict[int, bytes]:
    """The live child processes of `master`, with their command lines: gunicorn workers,
    and multiprocessing's (the background processes and its resource tracker)."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                parent = int(f.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read()
        except (OSError, ValueError):
            continue
        if parent == master:
            found[int(entry)] = cmdline
    return found


class LiveServer:
    def __init__(self, env: dict[str, str], port: int | None = None, workers: int = 2):
        self.env = {**os.environ, **env}
        self.port = port or free_port()
        self.workers = workers
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None
        self.log = Path(env["TALLY_VAR_DIR"]) / f"server-{self.port}.log"

    def start(self, timeout: float = 60) -> LiveServer:
        Path(self.env["TALLY_VAR_DIR"]).mkdir(parents=True, exist_ok=True)
        out = open(self.log, "ab")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "app.py"),
                "serve",
                "--port",
                str(self.port),
                "--workers",
                str(self.workers),
            ],
            env=self.env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-3000:]}")
            try:
                if requests.get(self.url + "/healthz", timeout=1).ok:
                    return self
            except requests.RequestException:
                time.sleep(0.2)
        raise RuntimeError(f"server did not answer in {timeout} s: {self.log.read_text()[-3000:]}")

    def kill9(self) -> None:
        """SIGKILL the whole process group: master and workers die mid-whatever."""
        if self.proc:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
            self.proc = None

    def stop(self) -> None:
        if self.proc:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill9()
            self.proc = None


def live_settings(tmp_path: Path) -> tuple[dict[str, str], Settings]:
    """Environment and settings for a `tally serve` on SQLite under tmp_path, migrated."""
    from backend.store.db import Database
    from tests.conftest import TEST_SECRET

    env = {
        "TALLY_VAR_DIR": str(tmp_path / "var"),
        "TALLY_SECRET_KEY": TEST_SECRET,
        "TALLY_DATABASE_URL": f"sqlite:///{tmp_path / 'var' / 'tally.sqlite3'}",
        "TALLY_FLUSH_INTERVAL": "0.2",
    }
    settings = Settings.from_env(env, env_file=None)
    settings.var_dir.mkdir(parents=True)
    db = Database(settings.database_url)
    db.migrate()
    db.dispose()
    return env, settings

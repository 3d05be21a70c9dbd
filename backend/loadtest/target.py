"""The server under test: a throwaway `tally serve` on loopback with a fresh store and its own
account, or a running Tally given by URL and keys. Also the fixtures a run needs there (a
published sign-up form for the storefront visitors)."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import requests

APP = Path(__file__).resolve().parents[2] / "app.py"
FORM_NAME = "Load test sign-up"


class TargetError(RuntimeError):
    """The target cannot be used (unreachable, refused keys); str() says what to fix."""


@dataclass
class Target:
    url: str
    write_key: str
    private_key: str
    public_key: str = ""
    login: dict | None = None  # {"email", "password"} when the run made the account
    form_id: int | None = None
    throwaway: bool = False
    secret: str | None = None  # the target's TALLY_SECRET_KEY: signs e-mail links
    account_id: str | None = None
    _proc: subprocess.Popen | None = field(default=None, repr=False)
    _dir: str | None = field(default=None, repr=False)

    def bearer(self) -> dict:
        return {"Authorization": f"Bearer {self.private_key}"}

    def close(self) -> None:
        if self._proc is not None:
            try:
                os.killpg(self._proc.pid, signal.SIGTERM)
                self._proc.wait(timeout=20)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                os.killpg(self._proc.pid, signal.SIGKILL)
                self._proc.wait()
            self._proc = None
        if self._dir:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return host in ("localhost", "::1") or host.startswith("127.")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def throwaway(workers: int | None = None, echo=print, smtp_url: str | None = None) -> Target:
    """`tally serve` on 127.0.0.1 with a SQLite store in a temp dir and its own account."""
    tmp = tempfile.mkdtemp(prefix="tally-loadtest-")
    # Only our settings: a fresh store must not pick up the operator's database or Kafka.
    env = {k: v for k, v in os.environ.items() if not k.startswith("TALLY_")}
    env.update(
        TALLY_VAR_DIR=f"{tmp}/var",
        TALLY_DATABASE_URL=f"sqlite:///{tmp}/var/tally.sqlite3",
        TALLY_SECRET_KEY=(secret := secrets.token_hex(32)),
        TALLY_COUNTERS="sqlite",
    )
    if smtp_url:  # the campaign scenario's sink on loopback
        env["TALLY_SMTP_URL"] = smtp_url
    Path(tmp, "var").mkdir()
    made = subprocess.run(
        [sys.executable, str(APP), "account", "create", "Load test", "--json"],
        env=env,
        cwd=tmp,
        capture_output=True,
        text=True,
        timeout=120,
    )
    if made.returncode != 0:
        shutil.rmtree(tmp, ignore_errors=True)
        raise TargetError(f"could not create the throwaway account: {made.stderr.strip()[-300:]}")
    acc = json.loads(made.stdout.strip().splitlines()[-1])
    port = free_port()
    args = [sys.executable, str(APP), "serve", "--host", "127.0.0.1", "--port", str(port)]
    if workers:
        args += ["--workers", str(workers)]
    log = open(f"{tmp}/server.log", "ab")
    proc = subprocess.Popen(
        args, env=env, cwd=tmp, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    target = Target(
        url=f"http://127.0.0.1:{port}",
        write_key=acc["write_key"],
        private_key=acc["private_key"],
        public_key=acc["public_key"],
        login=acc["login"],
        throwaway=True,
        secret=secret,
        account_id=acc["id"],
        _proc=proc,
        _dir=tmp,
    )
    try:  # whatever stops the wait (Ctrl-C too), the server does not outlive it
        _wait_ready(target, proc, tmp)
    except BaseException:
        target.close()
        raise
    echo(f"throwaway server {target.url} (store in {tmp})")
    return target


def _wait_ready(target: Target, proc: subprocess.Popen, tmp: str) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = Path(tmp, "server.log").read_text()[-500:]
            raise TargetError(f"the throwaway server exited: {tail}")
        try:
            if requests.get(target.url + "/healthz", timeout=1).ok:
                return
        except requests.RequestException:
            time.sleep(0.2)
    raise TargetError("the throwaway server did not answer /healthz within 90 s")


def given(
    url: str, write_key: str | None, private_key: str | None, public_key: str | None = None
) -> Target:
    if not write_key or not private_key:
        raise TargetError(
            "--target needs --write-key and --private-key (or TALLY_WRITE_KEY and "
            "TALLY_PRIVATE_KEY)"
        )
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).hostname:
        raise TargetError(f"--target must be an http(s) URL, not {url!r}")
    target = Target(
        url=url.rstrip("/"),
        write_key=write_key,
        private_key=private_key,
        public_key=public_key or "",
    )
    try:
        ok = requests.get(target.url + "/healthz", timeout=5).ok
    except requests.RequestException as exc:
        raise TargetError(f"{target.url}/healthz did not answer: {exc}") from None
    if not ok:
        raise TargetError(f"{target.url}/healthz is not ok")
    return target


def prepare(target: Target) -> None:
    """The account's public key (minted when not given) and a
    published sign-up form of our own (made once, reused by later runs)."""
    s = requests.Session()
    s.headers.update(target.bearer())
    r = s.get(target.url + "/api/forms", timeout=10)
    if r.status_code in (401, 403):
        raise TargetError(f"the private key was refused by {target.url} ({r.status_code})")
    r.raise_for_status()
    forms = r.json().get("forms", [])
    mine = [f for f in forms if f.get("name") == FORM_NAME]
    if mine:
        form_id = mine[0]["id"]
    else:
        body = {
            "name": FORM_NAME,
            "kind": "embed",
            "list": "Load test",
            "fields": [{"name": "email", "type": "email", "label": "E-mail", "required": True}],
        }
        r = s.post(target.url + "/api/forms", json=body, timeout=10)
        r.raise_for_status()
        form_id = r.json()["id"]
    s.post(target.url + f"/api/forms/{form_id}/publish", timeout=10).raise_for_status()
    target.form_id = form_id
    if not target.account_id:
        target.account_id = s.get(target.url + "/api/account", timeout=10).json().get("id")
    if not target.public_key:
        target.public_key = _public_key(s, target.url)


def _public_key(s: requests.Session, url: str) -> str:
    """Public keys are safe to mint (they only show forms and take submissions): one labelled
    for the load test, when --public-key was not given."""
    r = s.post(url + "/api/keys", json={"kind": "public", "label": "load test"}, timeout=10)
    if r.ok and r.json().get("key"):
        return r.json()["key"]
    raise TargetError("no public key: pass --public-key (or TALLY_PUBLIC_KEY)")

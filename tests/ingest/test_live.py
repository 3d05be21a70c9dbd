"""End to end against a real `tally serve`: kill -9 mid-stream, and an off-the-shelf SDK."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta

import pytest
import requests
from sqlalchemy import func, select

from backend.accounts.service import create_account
from backend.counters.sqlite import SqliteCounterStore
from backend.store.db import Database
from backend.store.models import Event
from tests.live_server import LiveServer, children, live_settings

pytestmark = pytest.mark.slow


@pytest.fixture
def live_env(tmp_path):
    env, settings = live_settings(tmp_path)
    db = Database(settings.database_url)
    with db.session() as s:
        acc = create_account(s, "Live")
    db.dispose()
    return env, settings, acc


def wait_for_events(settings, account_id, expected, timeout=90):
    db = Database(settings.database_url)
    deadline = time.monotonic() + timeout
    n = -1
    while time.monotonic() < deadline:
        with db.session() as s:
            n = s.scalar(
                select(func.count()).select_from(Event).where(Event.account_id == account_id)
            )
        if n >= expected:
            break
        time.sleep(0.3)
    db.dispose()
    return n


def counted(settings, account_id, metric):
    store = SqliteCounterStore(settings.counters_path)
    rows = store.read(
        account_id, metric, "", datetime(2000, 1, 1), datetime.utcnow() + timedelta(days=1)
    )
    store.close()
    return sum(t.count for t in rows.values()), round(sum(t.revenue for t in rows.values()), 6)


def test_kill_9_mid_stream_loses_nothing_and_counts_nothing_twice(live_env):
    env, settings, acc = live_env
    server = LiveServer(env).start()
    n_batches, per_batch = 60, 250
    acked = []
    done = threading.Event()

    def client():
        http = requests.Session()
        for b in range(n_batches):
            batch = [
                {
                    "type": "track",
                    "userId": f"u{i % 97}",
                    "event": "Placed Order",
                    "messageId": f"b{b}-m{i}",
                    "properties": {"revenue": 2.0},
                }
                for i in range(per_batch)
            ]
            while True:  # retry the SAME messageIds until acknowledged, as SDKs do
                try:
                    r = http.post(
                        server.url + "/v1/batch",
                        json={"batch": batch},
                        auth=(acc.write_key, ""),
                        timeout=5,
                    )
                    if r.status_code == 200:
                        acked.append(b)
                        break
                except requests.RequestException:
                    pass
                time.sleep(0.05)
        done.set()

    t = threading.Thread(target=client)
    t.start()
    for kill_at in (15, 35):
        while len(acked) < kill_at:
            time.sleep(0.01)
        server.kill9()  # master and workers, mid-request and mid-aggregation
        time.sleep(0.3)
        server.start()
    t.join(timeout=240)
    assert done.is_set() and len(acked) == n_batches
    total = n_batches * per_batch
    try:
        assert wait_for_events(settings, acc.id, total) == total
        time.sleep(1.0)  # let any in-flight pass finish its counter flush
        assert counted(settings, acc.id, "Placed Order") == (total, 2.0 * total)
    finally:
        server.stop()


def test_segment_python_sdk_against_tally_serve(live_env):
    from segment.analytics.client import Client

    env, settings, acc = live_env
    server = LiveServer(env).start()
    try:
        errors = []
        sdk = Client(
            acc.write_key,
            host=server.url,
            sync_mode=True,
            on_error=lambda e, batch: errors.append(e),
        )
        sdk.identify("user-1", {"email": "sdk@example.com", "name": "S. D. K."})
        for i in range(5):
            sdk.track("user-1", "Placed Order", {"revenue": 10 + i})
        sdk.page("user-1", "Shop", "Home")
        sdk.flush()
        assert errors == []
        assert wait_for_events(settings, acc.id, 7) == 7
        time.sleep(0.5)
        assert counted(settings, acc.id, "Placed Order") == (5, 60.0)
        assert counted(settings, acc.id, "Viewed Page") == (1, 0.0)
    finally:
        server.stop()


def background_processes(master: int) -> list[int]:
    """The master's spawned children: the jobs process and, on SQLite, the counting one."""
    return [
        pid for pid, cmdline in children(master).items() if b"spawn_main" in cmdline
    ]  # not the resource tracker


def test_background_processes_that_die_are_restarted(live_env):
    """Counting and storing run in processes of their own; killed, they come back and the
    events sent meanwhile are counted and stored."""
    import os
    import signal

    env, settings, acc = live_env
    server = LiveServer(env).start()
    try:
        deadline = time.monotonic() + 30
        while len(background_processes(server.proc.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        first = background_processes(server.proc.pid)
        assert len(first) == 2  # jobs (storing) and counting
        for pid in first:
            os.kill(pid, signal.SIGKILL)
        batch = [
            {
                "type": "track",
                "userId": "u",
                "event": "Placed Order",
                "messageId": f"r{i}",
                "properties": {"revenue": 1},
            }
            for i in range(40)
        ]
        r = requests.post(
            server.url + "/v1/batch", json={"batch": batch}, auth=(acc.write_key, ""), timeout=10
        )
        assert r.status_code == 200
        assert wait_for_events(settings, acc.id, 40, timeout=60) == 40
        deadline = time.monotonic() + 30
        while counted(settings, acc.id, "Placed Order")[0] < 40 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert counted(settings, acc.id, "Placed Order") == (40, 40.0)
        again = background_processes(server.proc.pid)
        assert len(again) == 2 and not set(again) & set(first)
    finally:
        server.stop()
    # Workers leave the master's children alone at exit (they used to try to join them).
    assert "can only join a child process" not in server.log.read_text()

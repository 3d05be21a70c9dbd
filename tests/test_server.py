"""`tally serve`'s gunicorn application, as each worker loads it."""

from __future__ import annotations

import os

from app import create_app
from backend import server
from backend.ingest import geo, ingestor


def test_a_worker_loads_the_geolocation_data_before_its_first_request_where_it_sums(
    settings, monkeypatch
):
    """On SQLite each request worker sums what it accepts by country (backend/ingest/summary.py):
    the data (~0.15 s to load) is loaded with the app, not by the first burst's requests. On
    PostgreSQL the workers never look an address up, and do not load it."""
    monkeypatch.setattr(geo, "_geo", None)
    monkeypatch.setattr(server, "freeze_startup_objects", lambda: None)  # not the test process
    app = server._Gunicorn(
        settings, lambda s, migrate: create_app(s, ui=False), {}, lambda runtime: None
    ).load()
    try:
        assert (geo._geo is not None) == settings.database_url.startswith("sqlite")
        assert ingestor(app.extensions["tally"])._producer is None  # spool mode: no Kafka
    finally:
        app.extensions["tally"].close()


def test_sigterm_stops_the_background_processes_without_restarting_them(tmp_path):
    """systemd (or Ctrl-C, or `kill -TERM -PGID`) signals every process of `tally serve`.
    The background processes stop within a second, while gunicorn's graceful stop waits for
    a request still in flight; the supervisor must not take their exit for a crash."""
    import base64
    import signal
    import socket
    import time

    from backend.accounts.service import create_account
    from backend.store.db import Database
    from tests.live_server import LiveServer, children, live_settings

    env, settings = live_settings(tmp_path)
    db = Database(settings.database_url)
    with db.session() as s:
        key = create_account(s, "Shop").write_key
    db.dispose()
    auth = base64.b64encode(f"{key}:".encode())
    live = LiveServer(env).start()
    master = live.proc.pid
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        background = [p for p, cmd in children(master).items() if b"spawn_main" in cmd]
        if len(background) == 2:  # jobs and counting (SQLite)
            break
        time.sleep(0.2)
    assert len(background) == 2
    # A request in flight (half its body sent) holds a worker, so the graceful stop lasts
    # longer than the background processes take to stop, as under real traffic.
    held = socket.create_connection(("127.0.0.1", live.port))
    held.sendall(
        b"POST /v1/track HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Authorization: Basic " + auth + b"\r\nContent-Length: 1000\r\n\r\n{"
    )
    time.sleep(1)
    os.killpg(master, signal.SIGTERM)
    time.sleep(4)  # two watch rounds of the supervisor while the worker still waits
    held.close()
    live.proc.wait(timeout=30)
    log = live.log.read_text()
    assert "exited; restarting it" not in log, log[-2000:]
    for pid in background:
        assert not os.path.exists(f"/proc/{pid}") or b"zombie" in _state(pid)


def _state(pid: int) -> bytes:
    with open(f"/proc/{pid}/status", "rb") as f:
        return f.read().lower()

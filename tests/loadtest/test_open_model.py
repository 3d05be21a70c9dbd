"""The generator's open model, against a deliberately slow HTTP server on loopback:
arrivals start on schedule whether or not earlier ones answered, and latency counts from
when each was due, so a queue shows in the numbers instead of being hidden (coordinated
omission)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer, ThreadingHTTPServer
from pathlib import Path

import pytest

from backend.loadtest.recorder import WARMUP_ARRIVALS, Recorder

ROOT = Path(__file__).resolve().parents[2]


class Slow(BaseHTTPRequestHandler):
    delay = 0.1
    lock = threading.Lock()
    busy = 0
    most = 0

    def log_message(self, *args):  # quiet
        pass

    def _answer(self, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):  # /healthz for the generator's lag sampler
        self._answer({"ok": True, "spool": {"bytes": 0, "oldest_seconds": 0}})

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        cls = type(self)
        with cls.lock:
            cls.busy += 1
            cls.most = max(cls.most, cls.busy)
        time.sleep(cls.delay)
        with cls.lock:
            cls.busy -= 1
        self._answer({"success": True})


def serve(server_cls, handler):
    httpd = server_cls(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


def generate(
    tmp_path: Path, url: str, rate: float, seconds: float, in_flight: int, **extra
) -> Recorder:
    cfg = {
        "target": url,
        "write_key": "w",
        "public_key": "p",
        "private_key": "k",
        "login": None,
        "form_id": None,
        "run_id": "t",
        "rates": {"sdk": rate},
        "batch_size": 1,
        "submit_share": 0,
        "stages": [[0, seconds, 1.0]],
        "max_in_flight": in_flight,
        "max_requests": 10_000,
        "seed": 5,
        "window_s": 1.0,
        "ramp_slo": None,
        "out": str(tmp_path / "out"),
        **extra,
    }
    (tmp_path / "cfg.json").write_text(json.dumps(cfg))
    done = subprocess.run(
        [sys.executable, "-m", "backend.loadtest.generator", str(tmp_path / "cfg.json")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    raw = json.loads((tmp_path / "out" / "raw.json").read_text())
    return Recorder.from_json(raw["recorder"])


@pytest.fixture
def handler():
    class H(Slow):
        busy = 0
        most = 0
        lock = threading.Lock()

    return H


def test_arrivals_do_not_wait_for_answers(tmp_path, handler):
    handler.delay = 0.5
    httpd = serve(ThreadingHTTPServer, handler)
    try:
        rec = generate(tmp_path, f"http://127.0.0.1:{httpd.server_port}", 20, 2, 64)
    finally:
        httpd.shutdown()
    offered = sum(n for w in rec.offered.values() for n in w.values())
    assert offered > 20
    assert rec.endpoints["/v1/batch"][1] == offered  # every arrival was sent and answered
    # ... and acknowledged into the ledger, after the untimed warm-up's arrivals
    assert sum(n for n, _cents in rec.ledger.values()) == offered + WARMUP_ARRIVALS
    # A closed model with one user would have had one request at a time on the server.
    assert handler.most >= 2 * WARMUP_ARRIVALS  # more than the warm-up's burst, too


def test_latency_counts_from_when_a_request_was_due(tmp_path, handler):
    handler.delay = 0.1  # 10 answers a second, one at a time
    httpd = serve(HTTPServer, handler)
    try:
        # Twice what it can answer, through ONE slot: arrivals queue in the generator.
        rec = generate(tmp_path, f"http://127.0.0.1:{httpd.server_port}", 20, 3, 1)
    finally:
        httpd.shutdown()
    _group, n, errors, from_due, service = rec.endpoints["/v1/batch"]
    assert n > 30 and errors == 0
    # What a closed-model tool reports (service time) hides the queue; from-due shows it.
    assert from_due.percentile(99) > 3 * service.percentile(99)
    assert from_due.percentile(99) > 1000  # ms: the last arrivals waited seconds


class Forgetful(Slow):
    """Answers a batch it has seen before at once, a new one only after the client gave up:
    a server that took the events but whose answer never arrived."""

    seen: set = set()

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        ids = tuple(m["messageId"] for m in json.loads(body)["batch"])
        if ids not in self.seen and len(self.seen) % 2 == 0:
            self.seen.add(ids)
            time.sleep(1.5)  # past the client's 0.5 s timeout
        else:
            self.seen.add(ids)
        try:
            self._answer({"success": True})
        except OSError:
            pass


def test_a_v1_call_without_an_answer_is_sent_again_with_the_same_ids(tmp_path):
    class H(Forgetful):
        seen = set()

    httpd = serve(ThreadingHTTPServer, H)
    try:
        rec = generate(
            tmp_path, f"http://127.0.0.1:{httpd.server_port}", 10, 2, 64, request_timeout_s=0.5
        )
    finally:
        httpd.shutdown()
    _group, n, errors, _due, _service = rec.endpoints["/v1/batch"]
    # each retried once and acknowledged (the warm-up's failures are not timed: "crashed")
    assert errors > 0 and rec.retried == [errors + rec.crashed, 0]
    assert sum(v[0] for v in rec.doubt.values()) == 0
    assert sum(c for c, _ in rec.ledger.values()) == n + WARMUP_ARRIVALS

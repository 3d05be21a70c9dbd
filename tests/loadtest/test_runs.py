"""Whole runs of `tally loadtest` against real servers: the smoke profile passes against a
throwaway server; a broken SLO, a ramp past its SLOs and a ledger that does not match the
counters each fail the run (exit 1) and say why."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest
import requests

from backend.loadtest import profile
from tests.live_server import LiveServer, live_settings

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


def loadtest(*args: str, env: dict | None = None, timeout: float = 300):
    return subprocess.run(
        [sys.executable, str(ROOT / "app.py"), "loadtest", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


def test_smoke_passes_against_a_throwaway_server(tmp_path):
    done = loadtest("--profile", "smoke", "--report", str(tmp_path / "r"), "--workers", "2")
    assert done.returncode == 0, done.stdout + done.stderr[-3000:]
    verdict = done.stdout.strip().splitlines()[-1]
    assert verdict.startswith("PASS smoke:") and "every SLO held" in verdict
    for name in ("report.html", "stats.csv", "timeline.csv", "locust_stats.csv", "summary.json"):
        assert (tmp_path / "r" / name).stat().st_size > 0, name
    summary = json.loads((tmp_path / "r" / "summary.json").read_text())
    assert summary["ok"] and not summary["ledger_differences"]
    assert summary["ledger"]["Viewed Page"][0] > 0 and summary["ledger"]["Placed Order"][1] > 0
    assert summary["ledger"]["Opened Email"][0] > 0  # signed links were accepted
    assert summary["ledger"]["Received Email"] == [20, 0]  # the campaign reached everyone
    assert "plotly" in (tmp_path / "r" / "report.html").read_text()[:2_000_000]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    from backend.accounts.service import create_account
    from backend.store.db import Database

    env, settings = live_settings(tmp_path_factory.mktemp("target"))
    db = Database(settings.database_url)
    with db.session() as s:
        acc = create_account(s, "Target").as_dict()
    db.dispose()
    live = LiveServer(env, workers=2).start()
    yield live, acc
    live.stop()


def target_args(server) -> list[str]:
    live, acc = server
    return [
        "--target",
        live.url,
        "--write-key",
        acc["write_key"],
        "--private-key",
        acc["private_key"],
        "--public-key",
        acc["public_key"],
    ]


def smoke_variant(tmp_path: Path, replace: dict[str, str]) -> Path:
    text = profile.resolve("smoke").read_text().replace('name = "smoke"', 'name = "variant"')
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / "variant.toml"
    path.write_text(text)
    return path


def test_an_impossible_slo_fails_the_run(tmp_path, server):
    path = smoke_variant(
        tmp_path, {"[slo.latency.ingest]\np95_ms = 2000": "[slo.latency.ingest]\np95_ms = 0.001"}
    )
    done = loadtest(
        "--profile",
        str(path),
        "--duration",
        "4",
        "--report",
        str(tmp_path / "r"),
        *target_args(server),
    )
    assert done.returncode == 1, done.stdout + done.stderr[-3000:]
    lines = done.stdout.strip().splitlines()
    assert lines[-1].startswith("FAIL variant:") and "ingest p95" in lines[-1]
    assert any("ingest p95" in line and "BROKE" in line for line in lines)
    assert "ledger matched" in lines[-1]  # the counting itself was right


def test_a_ramp_reports_where_it_broke(tmp_path, server):
    path = smoke_variant(
        tmp_path, {"[slo.latency.ingest]\np95_ms = 2000": "[slo.latency.ingest]\np95_ms = 0.001"}
    )
    path.write_text(
        path.read_text() + "\n[ramp]\nstart = 2\nfactor = 2\nstep_s = 6\nmax_steps = 3\n"
    )
    done = loadtest(
        "--profile", str(path), "--ramp", "--report", str(tmp_path / "r"), *target_args(server)
    )
    assert done.returncode == 1, done.stdout + done.stderr[-3000:]
    verdict = done.stdout.strip().splitlines()[-1]
    assert "no step held" in verdict and "broke at x2" in verdict and "ingest p95" in verdict
    summary = json.loads((tmp_path / "r" / "summary.json").read_text())
    assert [s["held"] for s in summary["ramp"]] == [False]  # it stopped at the break


def test_a_ledger_mismatch_fails_the_run(tmp_path, server):
    """Another producer sends 7 orders on the same account while the run goes on: the
    counters then hold 7 events the generator never had acknowledged, and the run must say
    so. (The same check catches a lost or double-counted event.)"""
    live, acc = server
    proc = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "app.py"),
            "loadtest",
            "--profile",
            "smoke",
            "--duration",
            "5",
            "--report",
            str(tmp_path / "r"),
            *target_args(server),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    stderr = []
    threading.Thread(target=lambda: stderr.append(proc.stderr.read()), daemon=True).start()
    out = []
    for line in proc.stdout:
        out.append(line)
        if " against " in line:  # the baseline is read; the traffic starts now
            batch = [
                {
                    "type": "track",
                    "userId": "intruder",
                    "event": "Placed Order",
                    "messageId": f"extra-{uuid.uuid4()}",
                    "properties": {"revenue": 1.5},
                }
                for _ in range(7)
            ]
            r = requests.post(
                live.url + "/v1/batch",
                json={"batch": batch},
                auth=(acc["write_key"], ""),
                timeout=30,
            )
            assert r.json() == {"success": True}
    assert proc.wait(timeout=300) == 1, "".join(out) + "".join(stderr)
    text = "".join(out)
    assert "ledger: Placed Order:" in text and "+7 events, +10.50 revenue" in text
    assert "ledger OFF" in text.strip().splitlines()[-1]

"""Profiles: the shipped ones parse; a broken one gets ONE line naming the problem, exit 2."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from app import cli
from backend.loadtest import profile
from backend.loadtest.cli import stages


@pytest.mark.parametrize("name", ["smoke", "storefront-day", "black-friday"])
def test_the_shipped_profiles_parse(name):
    p = profile.load(name)
    assert p.duration_s > 0 and any(p.rates.values()) and p.slo.latency


def test_black_friday_is_ten_times_the_storefront_days_peak():
    day, bf = profile.load("storefront-day"), profile.load("black-friday")
    peak = max(day.shape)
    for scenario, rate in day.rates.items():
        assert bf.rates[scenario] * max(bf.shape) == pytest.approx(10 * rate * peak)


def test_smoke_is_about_twenty_seconds():
    assert profile.load("smoke").duration_s <= 30


BROKEN = [
    ("duration_s = \n", "not valid TOML"),
    ("duration_s = 10\n[rates]\nvisitor = -1\n", "rates.visitor: must be between"),
    ("duration_s = 10\n[rates]\nvisitors = 1\n", "rates.visitors: unknown key"),
    (
        "duration_s = 10\n[rates]\nvisitor = 1\n[slo.latency.checkout]\np95_ms = 1\n",
        "slo.latency.checkout: unknown group",
    ),
    (
        "duration_s = 10\n[rates]\nvisitor = 1\n[slo.latency.ingest]\np95_ms = 'fast'\n",
        "slo.latency.ingest.p95_ms: must be a number",
    ),
    ("[rates]\nvisitor = 1\n", "duration_s: is required"),
    ("duration_s = 10\n[rates]\nvisitor = 0\n", "rates: give at least one scenario"),
    ("duration_s = 10\nshape = []\n[rates]\nsdk = 1\n", "shape: must be a non-empty list"),
]


@pytest.mark.parametrize(("text", "problem"), BROKEN)
def test_a_broken_profile_gets_one_line_and_exit_2(tmp_path, text, problem):
    path = tmp_path / "bad.toml"
    path.write_text(text)
    result = CliRunner().invoke(cli, ["loadtest", "--profile", str(path)])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert problem in lines[0] and "bad.toml" in lines[0]


def test_an_unknown_profile_name_lists_the_shipped_ones():
    result = CliRunner().invoke(cli, ["loadtest", "--profile", "cyber-monday"])
    assert result.exit_code == 2
    assert "smoke" in result.output and "black-friday" in result.output


def test_target_without_keys_is_refused_before_any_traffic(monkeypatch):
    monkeypatch.delenv("TALLY_WRITE_KEY", raising=False)
    monkeypatch.delenv("TALLY_PRIVATE_KEY", raising=False)
    result = CliRunner().invoke(cli, ["loadtest", "--target", "http://127.0.0.1:9"])
    assert result.exit_code == 2 and "--write-key" in result.output


def test_stages_follow_the_shape_or_the_ramp():
    day = profile.load("storefront-day")
    plan = stages(day, ramp=False)
    assert [m for _, _, m in plan] == list(day.shape)
    assert plan[-1][1] == pytest.approx(day.duration_s)
    ramp = stages(day, ramp=True)
    assert len(ramp) == day.ramp.max_steps
    assert ramp[1][2] == pytest.approx(day.ramp.start * day.ramp.factor)


def test_the_cli_side_never_monkey_patches(tmp_path):
    """gevent patches the standard library; only the generator process may do it."""
    import socket

    import backend.loadtest.campaign
    import backend.loadtest.cli
    import backend.loadtest.email_links
    import backend.loadtest.report  # noqa: F401

    path = tmp_path / "bad.toml"
    path.write_text("duration_s = 1\n")
    CliRunner().invoke(cli, ["loadtest", "--profile", str(path)])
    assert socket.socket.__module__ == "socket"
    assert "backend.loadtest.generator" not in __import__("sys").modules

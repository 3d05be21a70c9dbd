"""The body of `tally loadtest`: profile -> target -> generator process -> counting lag ->
ledger check -> SLOs -> report -> one-line verdict. Returns the exit status: 0 only when every
SLO held and the ledger matched, 1 when not, 2 when the run could not start."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path

import click

from backend.loadtest import ledger, profile, report, slo, target
from backend.loadtest.recorder import Recorder

ROOT = Path(__file__).resolve().parents[2]
# Every metric a scenario may acknowledge: read before the run as the ledger's baseline.
METRICS = (
    "Viewed Page",
    "Viewed Form",
    "Viewed Product",
    "Added to Cart",
    "Placed Order",
    "Submitted Form",
    "Ordered Product",
    "Fulfilled Order",
    "Started Checkout",
    "Opened Email",
    "Clicked Email",
    "Received Email",
)
GRACE_S = 90.0  # past the planned end (and the generator's own drain) before it is killed


def stages(p: profile.Profile, ramp: bool) -> list[list[float]]:
    """[start, end, multiple of the rates] slices: the profile's shape, or the ramp's steps."""
    if ramp:
        r = p.ramp
        return [
            [i * r.step_s, (i + 1) * r.step_s, round(r.start * r.factor**i, 4)]
            for i in range(r.max_steps)
        ]
    n = len(p.shape)
    step = p.duration_s / n
    return [[round(i * step, 3), round((i + 1) * step, 3), m] for i, m in enumerate(p.shape)]


def run(
    spec: str,
    target_url: str | None,
    write_key: str | None,
    private_key: str | None,
    public_key: str | None,
    duration: float | None,
    rate: float | None,
    report_dir: str | None,
    ramp: bool,
    workers: int | None,
) -> int:
    try:
        p = profile.load(spec).scaled(duration_s=duration, rate=rate)
    except profile.ProfileError as exc:
        click.echo(f"Error: {exc}", err=True)
        return 2
    out = Path(
        report_dir or ROOT / "var" / "loadtest" / f"{p.name}-{datetime.now(UTC):%Y%m%dT%H%M%SZ}"
    )
    sink = None
    if p.campaign_recipients and ramp:
        pass  # a one-off send has no place in a ramp: each step is judged on its own
    elif p.campaign_recipients and target_url:
        click.echo("note: no campaign against --target (it would mail through its relay)", err=True)
    elif p.campaign_recipients:
        from backend.loadtest.campaign import MailSink

        sink = MailSink()
    try:
        tgt = (
            target.given(target_url, write_key, private_key, public_key)
            if target_url
            else target.throwaway(
                workers=workers, echo=click.echo, smtp_url=sink.url if sink else None
            )
        )
    except target.TargetError as exc:
        click.echo(f"Error: {exc}", err=True)
        if sink:
            sink.close()
        return 2
    try:
        target.prepare(tgt)
        return _run(p, tgt, out, ramp, sink)
    except (target.TargetError, TimeoutError) as exc:
        click.echo(f"Error: {exc}", err=True)
        return 2
    finally:
        tgt.close()
        if sink:
            sink.close()


def _run(p: profile.Profile, tgt: target.Target, out: Path, ramp: bool, sink) -> int:
    out.mkdir(parents=True, exist_ok=True)
    days = ledger.days_around_now()
    ledger.wait_counted(tgt, timeout_s=60)  # what came before is counted before the baseline
    before = ledger.read_counts(tgt, METRICS, days)
    plan = stages(p, ramp)
    run_id = uuid.uuid4().hex[:12]
    opens, clicks = _email_links(p, tgt, plan, run_id)
    send = None
    if sink is not None:
        from backend.loadtest.campaign import audience

        send = {
            "at": plan[-1][1] * p.campaign_at,
            "segment": audience(tgt, run_id, p.campaign_recipients),
        }
    cfg = {
        "target": tgt.url,
        "write_key": tgt.write_key,
        "public_key": tgt.public_key,
        "private_key": tgt.private_key,
        "login": tgt.login,
        "form_id": tgt.form_id,
        "run_id": run_id,
        "rates": p.rates,
        "batch_size": p.batch_size,
        "submit_share": p.submit_share,
        "stages": plan,
        "max_in_flight": p.max_in_flight,
        "max_requests": p.max_requests,
        "request_timeout_s": p.request_timeout_s,
        "seed": p.seed,
        "window_s": max(1.0, round(plan[-1][1] / 120, 1)),
        "ramp_slo": p.slo.__dict__ if ramp else None,
        "out": str(out),
        "email_opens": opens,
        "email_clicks": clicks,
        "campaign": send,
    }
    (out / "config.json").write_text(json.dumps({**cfg, "profile": p.as_dict()}, indent=1))
    click.echo(
        f"{p.name}: {_rates(p.rates)} for {plan[-1][1]:g} s against {tgt.url}"
        + (" (ramp)" if ramp else "")
    )
    if not _generate(out, plan[-1][1]):
        click.echo("Error: the load generator failed; see " + str(out / "generator.log"), err=True)
        return 2
    raw = json.loads((out / "raw.json").read_text())
    rec = Recorder.from_json(raw["recorder"])
    last_ack = raw["ended"]
    late = []
    if raw.get("campaigns"):
        from backend.loadtest.campaign import RECEIVED, wait_sent

        late = wait_sent(tgt, raw["campaigns"])
        rec.ledger[RECEIVED] = [sink.count, 0]  # delivered to our sink = acknowledged
    elif send:
        late = ["the campaign was not sent (see the failures in the report)"]
    drain_s, drained = ledger.wait_counted(tgt, timeout_s=max(60.0, p.slo.counting_lag_s * 2))
    sampled = max((s[1] for s in rec.lag_samples), default=0.0)
    lag = max(sampled, drain_s)
    after = ledger.read_counts(tgt, set(METRICS) | set(rec.ledger), days)
    diffs = ledger.compare(rec.ledger, before, after, rec.doubt)
    diffs = late + diffs
    if not drained:
        diffs.insert(0, f"the backlog did not drain within {drain_s:.0f} s")
    if not rec.endpoints:
        diffs.insert(0, "no request was answered: nothing was tested")
    five = sum(n for code, n in rec.statuses.items() if code.startswith("5"))
    if five:
        diffs.append(f"{five:,} answers were 5xx")
    groups = rec.groups()
    checks = slo.evaluate(groups, p.slo.__dict__, rec.crashed, lag)
    summary = {
        "profile": p.name,
        "target": tgt.url,
        "ramp": raw["ramp"],
        "duration_s": last_ack,
        "requests": sum(v[0] for v in groups.values()),
        "checks": [
            {"name": c.name, "limit": c.limit, "actual": c.actual, "unit": c.unit, "held": c.held}
            for c in checks
        ],
        "ledger": {m: v for m, v in rec.ledger.items()},
        "ledger_differences": diffs,
        "counting_lag_s": lag,
        "drain_s": drain_s,
        "statuses": rec.statuses,
        "generator_lag_p99_ms": rec.generator_lag.percentile(99),
        "retried": rec.retried,
        "in_doubt": {m: v for m, v in rec.doubt.items() if v[0]},
    }
    verdict, ok = _verdict(p, summary, checks, diffs, raw["ramp"] if ramp else None)
    summary["verdict"], summary["ok"] = verdict, ok
    (out / "summary.json").write_text(json.dumps(summary, indent=1))
    report.write(out, p, rec, raw, summary)
    for c in checks:
        if not c.held and (not ramp or c.name == "counting lag"):  # a ramp's are per step
            click.echo("  " + c.line())
    if sum(rec.retried):
        click.echo(
            f"  retried {sum(rec.retried):,} /v1 calls that got no answer: "
            f"{rec.retried[0]:,} acknowledged, {rec.retried[1]:,} still in doubt"
        )
    for line in diffs:
        click.echo("  ledger: " + line)
    click.echo(f"  report: {out / 'report.html'}")
    click.echo(verdict)
    return 0 if ok else 1


def _email_links(p, tgt, plan, run_id: str) -> tuple[list, list]:
    """Signed links for the e-mail scenario, one per expected hit (and a margin)."""
    if not p.rates.get("email"):
        return [], []
    if not tgt.secret or not tgt.account_id:
        p.rates["email"] = 0.0
        click.echo(
            "note: no TALLY_SECRET_KEY of the target: the e-mail scenario is skipped", err=True
        )
        return [], []
    from backend.loadtest import email_links

    ids = email_links.recipients(tgt, run_id)
    if not ids:
        raise target.TargetError("the load-test recipients did not show up in /api/profiles")
    hits = sum(p.rates["email"] * m * (end - start) for start, end, m in plan)
    return email_links.links(tgt.secret, tgt.account_id, ids, int(hits * 1.5) + 50, run_id)


def _rates(rates: dict) -> str:
    return ", ".join(f"{k} {v:g}/s" for k, v in rates.items() if v)


def _verdict(p, summary, checks, diffs, ramp_steps) -> tuple[str, bool]:
    events = sum(v[0] for v in summary["ledger"].values())
    ledger_txt = (
        f"ledger matched ({events:,} events)"
        if not diffs
        else f"ledger OFF on {len(diffs)} line(s)"
    )
    rate = summary["requests"] / max(summary["duration_s"], 1e-9)
    if ramp_steps is not None:
        held = [s for s in ramp_steps if s["held"]]
        broke = [s for s in ramp_steps if not s["held"]]
        yp = (
            f"yield point x{held[-1]['multiple']:g} ({_rates({k: v * held[-1]['multiple'] for k, v in p.rates.items()})})"
            if held
            else "no step held"
        )
        where = (
            f"broke at x{broke[0]['multiple']:g}: {'; '.join(broke[0]['breaches'])}"
            if broke
            else "no step broke (raise ramp.max_steps)"
        )
        ok = bool(held) and not diffs
        return f"{'PASS' if ok else 'FAIL'} {p.name} ramp: {yp}; {where}; {ledger_txt}", ok
    broken = [c for c in checks if not c.held]
    ok = not broken and not diffs
    slo_txt = (
        "every SLO held"
        if not broken
        else f"{len(broken)} SLO(s) broke: " + ", ".join(c.name for c in broken)
    )
    return (
        f"{'PASS' if ok else 'FAIL'} {p.name}: {summary['requests']:,} requests "
        f"({rate:,.1f}/s), {slo_txt}, {ledger_txt}"
    ), ok


def _generate(out: Path, planned_s: float) -> bool:
    """Run the generator process with a progress bar; False when it failed."""
    log = open(out / "generator.log", "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "backend.loadtest.generator", str(out / "config.json")],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=log,
    )
    # Bounded in time whatever happens: a generator past its plan and grace is killed.
    watchdog = threading.Timer(planned_s + GRACE_S, proc.kill)
    watchdog.start()
    shown = 0
    with click.progressbar(
        length=max(1, int(planned_s * 10)),
        label="load",
        item_show_func=lambda x: x,
        file=sys.stderr,
    ) as bar:
        for line in proc.stdout:
            try:
                tick = json.loads(line)
            except ValueError:
                continue
            if tick.get("done"):
                break
            now = min(int(tick["t"] * 10), bar.length)
            bar.update(
                max(0, now - shown),
                f"{tick['requests']:,} req, {tick['errors']:,} err, {tick['in_flight']} in flight",
            )
            shown = max(shown, now)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    finally:
        watchdog.cancel()
    return proc.returncode == 0 and (out / "raw.json").is_file()

"""Campaign sending speed: personalised e-mails to a fast SMTP sink on loopback, Tally's
sender (pooled persistent connections, templates compiled once, batches recorded in one
transaction, the crash journal on) against a naive loop (a new SMTP connection and a full
render per message), side by side; and the sender's peak RSS as the audience grows.

    .venv/bin/python bench/campaign.py [--recipients 200000] [--naive 2000]

Setup (profiles on a list, SQLite in a temporary folder) is not timed. The sender runs in
a fresh process, so its peak RSS is its own; the sink (bench/smtp_sink.py) in another.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SUBJECT = "Hi {{ first_name }}, 30% off everything today"
BODY = (
    "Hello {{ first_name }},\n\nOur Black Friday sale is on: 30% off everything until "
    "midnight.\n\nShop now: https://shop.example/black-friday\n\nSee you soon,\nThe Acme team"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def env_for(tmp: Path, port: int) -> dict:
    return {
        **os.environ,
        "TALLY_DATABASE_URL": f"sqlite:///{tmp / 'tally.sqlite3'}",
        "TALLY_VAR_DIR": str(tmp / "var"),
        "TALLY_SECRET_KEY": "bench-secret-0123456789abcdef",
        "TALLY_SMTP_URL": f"smtp://127.0.0.1:{port}?from=shop@acme.test",
    }


def setup(n: int) -> tuple[str, int]:
    """An account with n subscribed profiles on a list, and a campaign to it, sent now."""
    from sqlalchemy import insert

    from backend.accounts.service import create_account
    from backend.campaigns import service
    from backend.config import Settings
    from backend.runtime import Runtime
    from backend.store.db import utcnow
    from backend.store.models import List, ListMember, Profile

    rt = Runtime(Settings.from_env(env_file=None))
    with rt.db.session() as s:
        acc = create_account(s, "Bench", email="bench@acme.test", password="correct horse b")
        lst = List(account_id=acc.id, name="Everyone")
        s.add(lst)
        s.flush()
        list_id = lst.id
    chunk = 50_000
    for start in range(0, n, chunk):
        with rt.db.session() as s:
            rows = [
                {
                    "account_id": acc.id,
                    "email": f"shopper{i}@example{i % 50}.com",
                    "traits": {"first_name": f"Shopper{i}"},
                    "email_status": "subscribed",
                }
                for i in range(start, min(n, start + chunk))
            ]
            ids = s.scalars(insert(Profile).returning(Profile.id), rows).all()
            s.execute(insert(ListMember), [{"list_id": list_id, "profile_id": p} for p in ids])
    with rt.db.session() as s:
        c = service.create(
            s,
            acc.id,
            {
                "name": "Bench",
                "subject": SUBJECT,
                "body": BODY,
                "audience": {"lists": ["Everyone"]},
                "smart_sending_hours": 0,
            },
        )
        service.send(s, acc.id, c.id, {}, utcnow())
        cid = c.id
    rt.close()
    return acc.id, cid


def child_send(stop_after: int) -> None:
    """In a fresh process: start the campaign (fix its recipients) and send until done."""
    from backend.campaigns.runner import build_sender
    from backend.config import Settings
    from backend.runtime import Runtime

    rt = Runtime(Settings.from_env(env_file=None), migrate=False)
    sender = build_sender(rt)  # the jobs process's limits (runner.limits_from)
    t0 = time.perf_counter()
    sender.start_due()
    t_start = time.perf_counter() - t0
    sent = 0
    cpu0 = _cpu(resource.RUSAGE_SELF) + _cpu(resource.RUSAGE_CHILDREN)  # forked slices too
    t1 = time.perf_counter()
    while True:
        n = sender.tick()
        sent += n
        if n == 0 or (stop_after and sent >= stop_after):
            break
    secs = time.perf_counter() - t1
    cpu = _cpu(resource.RUSAGE_SELF) + _cpu(resource.RUSAGE_CHILDREN) - cpu0
    sender.close()
    sender.pool.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {"sent": sent, "seconds": secs, "start_seconds": t_start, "peak_mb": peak, "cpu": cpu}
        )
    )


def _cpu(who) -> float:
    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime


def proc_cpu(pid: int) -> float:
    """CPU seconds (user + system) of another process, from /proc (Linux)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def naive(n: int, port: int) -> float:
    """A new connection and a full render (template parsed, MIME built) per message."""
    from jinja2.sandbox import SandboxedEnvironment

    t0 = time.perf_counter()
    for i in range(n):
        env = SandboxedEnvironment()
        ctx = {"first_name": f"Shopper{i}"}
        msg = EmailMessage()
        msg["From"] = "shop@acme.test"
        msg["To"] = f"shopper{i}@example.com"
        msg["Subject"] = env.from_string(SUBJECT).render(ctx)
        text = env.from_string(BODY).render(ctx)
        msg.set_content(text)
        msg.add_alternative(f"<p>{text}</p>", subtype="html")
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            smtp.send_message(msg)
    return n / (time.perf_counter() - t0)


def sink_count(path: Path) -> int:
    try:
        return int(path.read_text() or 0)
    except (FileNotFoundError, ValueError):
        return 0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--recipients", type=int, default=200_000)
    ap.add_argument("--naive", type=int, default=2000)
    ap.add_argument("--stop-after", type=int, default=0, help="send only this many (RSS runs)")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child_send(args.stop_after)
        return
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        port = free_port()
        count_file = tmp / "sink-count"
        sink = subprocess.Popen(
            [sys.executable, str(ROOT / "bench" / "smtp_sink.py"), str(port), str(count_file)]
        )
        env = env_for(tmp, port)
        os.environ.update(env)
        try:
            t = time.perf_counter()
            setup(args.recipients)
            print(
                f"setup: {args.recipients:,} profiles on a list in {time.perf_counter() - t:.1f} s"
            )
            sink_cpu0 = proc_cpu(sink.pid)
            out = subprocess.run(
                [sys.executable, __file__, "--child", "--stop-after", str(args.stop_after)],
                env=env,
                capture_output=True,
                text=True,
                check=True,
            )
            r = json.loads(out.stdout.strip().splitlines()[-1])
            time.sleep(0.5)
            got = sink_count(count_file)
            sink_us = (proc_cpu(sink.pid) - sink_cpu0) / max(1, got) * 1e6
            rate = r["sent"] / r["seconds"]
            print(
                f"tally:  {r['sent']:,} e-mails in {r['seconds']:.1f} s = {rate:,.0f}/s "
                f"(recipients fixed in {r['start_seconds']:.1f} s; sink counted {got:,}); "
                f"peak RSS {r['peak_mb']:.0f} MB"
            )
            print(
                f"cpu:    sender {r['cpu'] / max(1, r['sent']) * 1e6:.0f} us an e-mail "
                f"(all its processes), sink {sink_us:.0f} us; load average "
                f"{os.getloadavg()[0]:.1f}"
            )
            if args.naive:
                nrate = naive(args.naive, port)
                print(f"naive:  {args.naive:,} e-mails, {nrate:,.0f}/s")
                print(f"ratio:  {rate / nrate:.1f}x")
        finally:
            sink.terminate()
            sink.wait()


if __name__ == "__main__":
    main()

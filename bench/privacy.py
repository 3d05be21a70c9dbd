"""Privacy requests and the money filter, side by side with their baselines.

    .venv/bin/python bench/privacy.py [--profiles 30] [--events 500] [--db URL]

1. `{{ event.revenue | money }}` against `{{ event.revenue }}` in the sending path's
   render (backend/email/render.py), and Babel's own format_currency, in CPU microseconds a
   call (time.process_time: steadier than wall time on a shared box).
2. Erasing a profile with `--events` events (and a list membership, a segment membership,
   a flow run with a waiting step) through backend/privacy/erase.py, against the bare
   minimum (DELETE its events, then the profile) on profiles built the same way, in
   milliseconds a profile (wall and CPU), alternating the two; and the export of one.
   SQLite in a temporary folder by default; --db takes a PostgreSQL URL (an empty base).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def cpu_us(fn, n: int) -> float:
    t = time.process_time()
    for _ in range(n):
        fn()
    return (time.process_time() - t) / n * 1e6


def money(n: int = 20000) -> None:
    from babel.numbers import format_currency

    from backend.email.render import placeholders, render

    ctx = placeholders({"first_name": "Ann"}, {"revenue": 156.0}, None, "EUR")
    plain = "Hi {{ first_name }}, your order of {{ event.revenue }} ships today."
    filtered = "Hi {{ first_name }}, your order of {{ event.revenue | money }} ships today."
    assert "€156.00" in render(filtered, ctx)
    d = Decimal("156.0")
    rows = []
    for _ in range(3):  # rounds, alternating
        rows.append(
            (
                cpu_us(lambda: render(plain, ctx), n),
                cpu_us(lambda: render(filtered, ctx), n),
                cpu_us(lambda: format_currency(d, "EUR", locale="en_US"), n // 10),
            )
        )
    a, b, c = (statistics.median(r[i] for r in rows) for i in range(3))
    print("money filter (CPU us a call, median of 3 rounds)")
    print(f"  render, plain value     {a:7.1f}")
    print(f"  render, | money         {b:7.1f}   +{b - a:.1f} us ({b / a:.2f}x)")
    print(f"  Babel format_currency   {c:7.1f}   (what | money would cost without its cache)")


def build(s, account_id: str, n_profiles: int, n_events: int, prefix: str) -> list[int]:
    from backend.store.db import utcnow
    from backend.store.flow_models import Flow, FlowJob, FlowRun
    from backend.store.models import Event, List, ListMember, Profile
    from backend.store.segment_models import Segment, SegmentMember

    now = utcnow()
    lst = List(account_id=account_id, name=f"{prefix} list")
    seg = Segment(account_id=account_id, name=f"{prefix} seg", definition={}, count=n_profiles)
    flow = Flow(account_id=account_id, name=f"{prefix} flow", definition={})
    s.add_all([lst, seg, flow])
    s.flush()
    ids = []
    for i in range(n_profiles):
        p = Profile(account_id=account_id, email=f"{prefix}{i}@bench.test", traits={"i": i})
        s.add(p)
        s.flush()
        ids.append(p.id)
        s.add_all(
            [
                ListMember(list_id=lst.id, profile_id=p.id),
                SegmentMember(segment_id=seg.id, profile_id=p.id),
            ]
        )
        run = FlowRun(flow_id=flow.id, account_id=account_id, profile_id=p.id, event={})
        s.add(run)
        s.flush()
        s.add(
            FlowJob(run_id=run.id, flow_id=flow.id, node_id="wait", due_at=now + timedelta(days=1))
        )
        s.execute(
            Event.__table__.insert(),
            [
                {
                    "account_id": account_id,
                    "message_id": f"{prefix}-{i}-{k}",
                    "dedup_key": None,
                    "profile_id": p.id,
                    "metric": "Viewed Page" if k % 5 else "Placed Order",
                    "ts": now - timedelta(minutes=k),
                    "received_at": now,
                    "properties": {"k": k},
                    "updated_at": now,
                }
                for k in range(n_events)
            ],
        )
    return ids


def erase(db_url: str | None, n_profiles: int, n_events: int) -> None:
    from sqlalchemy import delete

    from backend.accounts.service import create_account
    from backend.privacy.audit import Actor
    from backend.privacy.erase import erase_profile
    from backend.privacy.export import export_profile
    from backend.store.db import Database
    from backend.store.models import Event, Profile

    tmp = tempfile.mkdtemp(prefix="tally-privacy-bench-")
    db = Database(db_url or f"sqlite:///{Path(tmp) / 'bench.db'}")
    db.migrate()
    with db.session() as s:
        acc = create_account(
            s, "Bench", email=f"bench-{time.time_ns()}@bench.test", password="x" * 12
        )
        ours = build(s, acc.id, n_profiles, n_events, "e")
        base = build(s, acc.id, n_profiles, n_events, "b")
    me = Actor("user", "0", "bench")
    t_ours, t_base, c_ours, c_base = [], [], [], []
    for pid, bid in zip(ours, base, strict=True):  # alternate: the same load on both
        w, c = time.perf_counter(), time.process_time()
        with db.session() as s:
            erase_profile(s, acc.id, pid, me)
        t_ours.append(time.perf_counter() - w)
        c_ours.append(time.process_time() - c)
        w, c = time.perf_counter(), time.process_time()
        with db.session() as s:
            s.execute(delete(Event).where(Event.profile_id == bid))
            s.execute(delete(Profile).where(Profile.id == bid))
        t_base.append(time.perf_counter() - w)
        c_base.append(time.process_time() - c)
    with db.session() as s:
        extra = build(s, acc.id, 1, n_events, "x")[0]
    w = time.perf_counter()
    with db.session() as s:
        doc = export_profile(s, acc.id, extra, me)
    t_export = time.perf_counter() - w
    assert len(doc["events"]) == n_events
    db.dispose()
    ms = lambda xs: statistics.median(xs) * 1e3  # noqa: E731
    kind = "PostgreSQL" if db_url else "SQLite"
    print(f"erase a profile of {n_events} events ({kind}, median of {n_profiles}; ms)")
    print(f"  erase_profile           wall {ms(t_ours):7.1f}  CPU {ms(c_ours):6.1f}")
    print(f"  DELETE events + profile wall {ms(t_base):7.1f}  CPU {ms(c_base):6.1f}")
    print(
        f"  ratio                   wall {ms(t_ours) / ms(t_base):6.2f}x  CPU {ms(c_ours) / ms(c_base):5.2f}x"
    )
    print(f"  export_profile          wall {t_export * 1e3:7.1f}  (one profile)")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--profiles", type=int, default=30)
    ap.add_argument("--events", type=int, default=500)
    ap.add_argument("--db", default=None)
    args = ap.parse_args()
    money()
    erase(args.db, args.profiles, args.events)


if __name__ == "__main__":
    main()

"""The demo store's segments on a small seed: all four exist, each with members and fewer
than everyone, VIPs and at-risk customers are customers, engaged non-buyers are not."""

from __future__ import annotations

from sqlalchemy import func, select

from backend.demo.seed import seed
from backend.demo.segments import DEMO_SEGMENTS, create_demo_segments
from backend.segments import service
from backend.segments.membership import member_ids
from backend.store.models import Event, Profile


def test_demo_segments_have_plausible_members(tmp_path, sqlite_url):
    # SQLite only: the engine's agreement on both stores is test_reference.py's job.
    from backend.accounts.service import create_account
    from backend.runtime import Runtime
    from tests.conftest import make_settings

    runtime = Runtime(make_settings(tmp_path, sqlite_url))
    with runtime.db.session() as s:
        account = create_account(s, "Demo")
    seed(runtime, account.id, events=20_000, days=90, progress=False)
    assert len(create_demo_segments(runtime, account.id)) == len(DEMO_SEGMENTS)
    assert create_demo_segments(runtime, account.id) == []  # once
    with runtime.db.session() as s:
        everyone = s.scalar(
            select(func.count()).select_from(Profile).where(Profile.account_id == account.id)
        )
        buyers = set(
            s.scalars(
                select(Event.profile_id).where(
                    Event.account_id == account.id, Event.metric == "Placed Order"
                )
            )
        )
        segs = {x.name: x for x in service.list_segments(s, account.id)}
        for name, seg in segs.items():
            assert 0 < seg.count < everyone, name
        members = {n: set(member_ids(s, account.id, x.id)) for n, x in segs.items()}
    assert members["VIP customers"] <= buyers
    assert members["At-risk customers"] <= buyers
    assert not members["Engaged non-buyers"] & buyers
    runtime.close()

"""Scheduled report e-mails received by a real SMTP server: once per period, whoever runs."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest

from backend.reports.mailing import send_due
from backend.reports.schedules import claim_due, next_run
from tests.conftest import make_settings
from tests.flows.conftest import smtp_server  # noqa: F401  (fixture)

pytestmark = pytest.mark.slow


def test_next_run():
    t = datetime(2026, 11, 29, 9, 30)  # a Sunday
    assert next_run("daily", 8, t) == datetime(2026, 11, 30, 8)
    assert next_run("daily", 10, t) == datetime(2026, 11, 29, 10)
    assert next_run("weekly", 8, t) == datetime(2026, 11, 30, 8)
    assert next_run("monthly", 8, t) == datetime(2026, 12, 1, 8)
    assert next_run("monthly", 8, datetime(2026, 12, 1, 7)) == datetime(2026, 12, 1, 8)


def _chain(frequency: str, hour: int, after: datetime, tz: str, n: int) -> list[datetime]:
    out = []
    for _ in range(n):
        after = next_run(frequency, hour, after, tz)
        out.append(after)
    return out


def test_next_run_is_a_local_hour_across_dst_changes():
    ny = "America/New_York"  # DST 2026: from Mar 8 02:00 to Nov 1 02:00
    # 08:00 local is 13:00 UTC (EST) before the spring change and 12:00 UTC (EDT) after it...
    assert _chain("daily", 8, datetime(2026, 3, 6, 14), ny, 3) == [
        datetime(2026, 3, 7, 13),
        datetime(2026, 3, 8, 12),
        datetime(2026, 3, 9, 12),
    ]
    # ... and back to 13:00 UTC after the autumn one.
    assert _chain("daily", 8, datetime(2026, 10, 30, 13), ny, 3) == [
        datetime(2026, 10, 31, 12),
        datetime(2026, 11, 1, 13),
        datetime(2026, 11, 2, 13),
    ]
    # 02:00 does not exist on Mar 8 (clocks jump to 03:00): that day's goes at 03:00 EDT.
    assert _chain("daily", 2, datetime(2026, 3, 7, 8), ny, 2) == [
        datetime(2026, 3, 8, 7),
        datetime(2026, 3, 9, 6),
    ]
    # 01:00 happens twice on Nov 1: sent once, at the first.
    assert _chain("daily", 1, datetime(2026, 10, 31, 6), ny, 2) == [
        datetime(2026, 11, 1, 5),
        datetime(2026, 11, 2, 6),
    ]
    # Weekly on Mondays and monthly on the 1st are local days too: midnight in Paris is
    # 23:00 UTC the evening before (22:00 in summer).
    paris = "Europe/Paris"
    assert _chain("monthly", 0, datetime(2026, 2, 15), paris, 3) == [
        datetime(2026, 2, 28, 23),
        datetime(2026, 3, 31, 22),
        datetime(2026, 4, 30, 22),
    ]
    assert _chain("weekly", 0, datetime(2026, 3, 24), paris, 2) == [
        datetime(2026, 3, 29, 22),
        datetime(2026, 4, 5, 22),
    ]  # Mondays 00:00 CEST
    assert next_run("daily", 8, datetime(2026, 11, 29, 9, 30), "UTC") == datetime(2026, 11, 30, 8)


def test_a_claimed_schedule_follows_the_account_zone_across_the_dst_change(sqlite_url):
    from backend.accounts.service import create_account
    from backend.accounts.timezones import set_timezone
    from backend.dashboards.service import list_dashboards
    from backend.reports import schedules
    from backend.store.db import Database

    db = Database(sqlite_url)
    db.migrate()
    try:
        with db.session() as s:
            acc = create_account(s, "NY Shop")
            set_timezone(s, acc.id, "America/New_York")
            [dash] = list_dashboards(s, acc.id)
            body = {"frequency": "daily", "hour": 8, "recipients": ["ny@shop.test"]}
            sc = schedules.put(s, acc.id, dash.id, body, now=datetime(2026, 3, 6, 14))
            assert schedules.to_json(sc)["timezone"] == "America/New_York"
        sent = []
        due = datetime(2026, 3, 7, 13)
        for _ in range(3):
            with db.session() as s:
                assert claim_due(s, due - timedelta(minutes=1)) == []
                assert len(claim_due(s, due)) == 1  # the jobs process sends it now
                sent.append(due)
                due = schedules.get(s, acc.id, dash.id).next_run_at
        assert sent == [
            datetime(2026, 3, 7, 13),
            datetime(2026, 3, 8, 12),
            datetime(2026, 3, 9, 12),
        ]
    finally:
        db.dispose()


@pytest.fixture
def report_app(tmp_path, sqlite_url, smtp_server):  # noqa: F811
    from app import create_app
    from backend.accounts.service import create_account

    app = create_app(make_settings(tmp_path, sqlite_url, TALLY_SMTP_URL=smtp_server.url), ui=False)
    with app.extensions["tally"].db.session() as s:
        acc = create_account(s, "Mailer Shop")
    yield app, acc
    app.extensions["tally"].close()


def test_a_daily_report_arrives_once_with_pdf_and_inline_png(report_app, smtp_server):  # noqa: F811
    app, acc = report_app
    client, rt = app.test_client(), app.extensions["tally"]
    h = {"Authorization": f"Bearer {acc.private_key}"}
    [dash] = client.get("/api/dashboards", headers=h).json["dashboards"]
    r = client.put(
        f"/api/dashboards/{dash['id']}/schedule",
        headers=h,
        json={"frequency": "daily", "hour": 7, "recipients": ["Boss@Shop.test", "ops@shop.test"]},
    )
    assert r.status_code == 200 and r.json["recipients"] == ["boss@shop.test", "ops@shop.test"]
    due = datetime.fromisoformat(r.json["next_run_at"].rstrip("Z"))
    assert send_due(rt, due - timedelta(minutes=1)) == 0 and smtp_server.messages == []
    # Two jobs processes racing at the due time: one e-mail.
    results = []
    threads = [threading.Thread(target=lambda: results.append(send_due(rt, due))) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [0, 0, 1] and len(smtp_server.messages) == 1
    msg = smtp_server.messages[0]
    assert msg["To"] == "boss@shop.test, ops@shop.test" and "Overview" in msg["Subject"]
    parts = {p.get_content_type(): p for p in msg.walk()}
    assert parts["application/pdf"].get_content()[:5] == b"%PDF-"
    assert parts["image/png"]["Content-ID"] == "<dashboard>"
    assert 'src="cid:dashboard"' in parts["text/html"].get_content()
    assert send_due(rt, due + timedelta(hours=1)) == 0  # not twice in a period
    assert send_due(rt, due + timedelta(days=1)) == 1  # the next day's
    got = client.get(f"/api/dashboards/{dash['id']}/schedule", headers=h).json
    assert got["last_error"] is None and got["last_sent_at"]


def test_schedule_validation_and_isolation(report_app, make_account=None):
    app, acc = report_app
    client = app.test_client()
    h = {"Authorization": f"Bearer {acc.private_key}"}
    [dash] = client.get("/api/dashboards", headers=h).json["dashboards"]
    url = f"/api/dashboards/{dash['id']}/schedule"
    for body, field in [
        ({"frequency": "hourly", "recipients": ["a@b.co"]}, "frequency"),
        ({"frequency": "daily", "recipients": []}, "recipients"),
        ({"frequency": "daily", "recipients": ["not-an-email"]}, "recipients[0]"),
        ({"frequency": "daily", "hour": 24, "recipients": ["a@b.co"]}, "hour"),
    ]:
        r = client.put(url, json=body, headers=h)
        assert r.status_code == 400 and field in r.json["error"], body
    assert client.get(url, headers=h).status_code == 404
    from backend.accounts.service import create_account

    with app.extensions["tally"].db.session() as s:
        other = create_account(s, "Other")
    oh = {"Authorization": f"Bearer {other.private_key}"}
    assert (
        client.put(
            url, json={"frequency": "daily", "recipients": ["a@b.co"]}, headers=oh
        ).status_code
        == 404
    )
    assert (
        client.put(
            url, json={"frequency": "weekly", "recipients": ["a@b.co"]}, headers=h
        ).status_code
        == 200
    )
    assert client.delete(url, headers=h).status_code == 204
    assert client.delete(url, headers=h).status_code == 404

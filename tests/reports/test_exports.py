"""Dashboard exports through the API: PNG, PDF, CSV and HTML that hold what the API says."""

from __future__ import annotations

import csv
import io
import re
import struct
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader

from backend.ingest import ingestor
from tests.conftest import make_settings
from tests.ingest.conftest import basic

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    """One app with an account, its Overview dashboard and a week of orders."""
    from app import create_app
    from backend.accounts.service import create_account

    tmp = tmp_path_factory.mktemp("reports")
    app = create_app(make_settings(tmp, f"sqlite:///{tmp / 'r.sqlite3'}"), ui=False)
    rt = app.extensions["tally"]
    with rt.db.session() as s:
        acc = create_account(s, "Report Shop <b>&</b>")
        other = create_account(s, "Other")
    now = datetime.now(UTC)
    batch = [
        {
            "type": "track",
            "userId": f"u{i}",
            "event": "Placed Order",
            "messageId": f"r{i}",
            "timestamp": (now - timedelta(hours=7 * i)).isoformat(),
            "properties": {"revenue": 10 + i, "utm_campaign": f"camp-{i % 3}"},
            "context": {"ip": ["81.2.69.142", "8.8.8.8", "1.1.1.1"][i % 3]},
        }
        for i in range(24)
    ]
    client = app.test_client()
    assert (
        client.post("/v1/batch", json={"batch": batch}, headers=basic(acc.write_key)).status_code
        == 200
    )
    ingestor(rt).drain()
    h = {"Authorization": f"Bearer {acc.private_key}"}
    [overview] = client.get("/api/dashboards", headers=h).json["dashboards"]
    yield app, client, h, overview, other
    rt.close()


def get(client, h, did, fmt, **params):
    q = "&".join(f"{k}={v}" for k, v in {"format": fmt, **params}.items())
    return client.get(f"/api/dashboards/{did}/export?{q}", headers=h)


def test_csv_is_tidy_and_its_totals_equal_the_api(shop):
    app, client, h, dash, _ = shop
    r = get(client, h, dash["id"], "csv", range="last_7_days")
    assert r.status_code == 200 and r.content_type.startswith("text/csv")
    assert "attachment" in r.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(r.data.decode())))
    assert set(rows[0]) == {"card", "series", "t", "count", "revenue"}
    orders = [row for row in rows if row["card"] == "Orders"]
    today = datetime.now(UTC).date()
    api = client.get(
        f"/api/metrics/Placed%20Order/series?start={today - timedelta(days=6)}&end={today}",
        headers=h,
    ).json
    api_total = sum(p["count"] for s in api["series"] for p in s["points"])
    assert sum(int(row["count"]) for row in orders) == api_total > 0
    campaigns = [row for row in rows if row["card"] == "Top UTM campaigns"]
    assert {row["series"] for row in campaigns} >= {"camp-0", "camp-1", "camp-2"}


def test_pdf_parses_and_holds_the_title_and_every_card(shop):
    app, client, h, dash, _ = shop
    r = get(client, h, dash["id"], "pdf")
    assert r.status_code == 200 and r.content_type == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(r.data)).pages)
    assert "Overview" in text and "Report Shop <b>&</b>" in text  # markup shows as text
    for card in dash["cards"]:
        assert card["title"] in text, card["title"]
    assert "Generated" in text and "Last 30 days" in text and "Times in UTC" in text


def test_png_is_the_grid_at_its_layout_size(shop):
    from backend.reports.static_html import GRID_COL_PX, GRID_ROW_PX

    app, client, h, dash, _ = shop
    r = get(client, h, dash["id"], "png")
    assert r.status_code == 200 and r.content_type == "image/png"
    assert r.data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", r.data[16:24])
    rows = max(c["y"] + c["h"] for c in dash["cards"])
    assert (width, height) == (12 * GRID_COL_PX + 32, rows * GRID_ROW_PX + 110)


def test_html_is_self_contained_and_holds_the_data(shop):
    app, client, h, dash, _ = shop
    r = get(client, h, dash["id"], "html", country="GB")
    assert r.status_code == 200 and r.content_type.startswith("text/html")
    page = r.data.decode()
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=[\"']?(https?:)?//", page, re.I)
    assert "url(http" not in page and "@import" not in page
    assert "window.PlotlyGeoAssets" in page  # the world map ships inside the file
    assert "Orders by country" in page and "Country: GB" in page
    assert '"camp-' in page  # the numbers themselves, as JSON


def test_card_exports(shop):
    app, client, h, dash, _ = shop
    base = f"/api/dashboards/{dash['id']}/cards"
    r = client.get(f"{base}/revenue-by-day/export?format=svg", headers=h)
    assert r.status_code == 200 and r.data.lstrip().startswith(b"<svg")
    r = client.get(f"{base}/orders-map/export?format=png", headers=h)
    assert r.status_code == 200 and r.data[:4] == b"\x89PNG"
    r = client.get(f"{base}/campaigns/export?format=csv", headers=h)
    assert r.status_code == 200 and r.data.startswith(b"card,series,t,count,revenue")
    assert client.get(f"{base}/nope/export?format=png", headers=h).status_code == 404


def test_bad_requests(shop):
    app, client, h, dash, other = shop
    r = get(client, h, dash["id"], "docx")
    assert r.status_code == 400 and "format" in r.json["error"]
    assert get(client, h, dash["id"], "csv", range="forever").status_code == 400
    assert get(client, h, dash["id"], "csv", country="Narnia").status_code == 400
    oh = {"Authorization": f"Bearer {other.private_key}"}
    assert get(client, oh, dash["id"], "pdf").status_code == 404
    assert client.get(f"/api/dashboards/{dash['id']}/export?format=pdf").status_code == 401


def test_an_empty_dashboard_exports_as_a_document_that_says_so(shop):
    app, client, h, dash, _ = shop
    did = client.post("/api/dashboards", json={"name": "Empty", "cards": []}, headers=h).json["id"]
    pdf = get(client, h, did, "pdf")
    assert pdf.status_code == 200
    text = PdfReader(io.BytesIO(pdf.data)).pages[0].extract_text()
    assert "Empty" in text and "This dashboard is empty" in text
    assert get(client, h, did, "csv").data.decode().strip() == "card,series,t,count,revenue"
    assert b"This dashboard is empty" in get(client, h, did, "html").data
    assert get(client, h, did, "png").data[:4] == b"\x89PNG"


@pytest.fixture(scope="module")
def ny_shop(shop):
    """An account in New York with one order at 02:00 UTC yesterday: 21:00 or 22:00 the
    evening before, New York time."""
    from backend.accounts.service import create_account
    from backend.accounts.timezones import set_timezone

    app, client, *_ = shop
    rt = app.extensions["tally"]
    with rt.db.session() as s:
        acc = create_account(s, "NY Shop")
        set_timezone(s, acc.id, "America/New_York")
    at = datetime.combine(datetime.now(UTC).date() - timedelta(days=1), time(2), tzinfo=UTC)
    msg = {
        "type": "track",
        "userId": "ny1",
        "event": "Placed Order",
        "messageId": "ny-1",
        "timestamp": at.isoformat(),
        "properties": {"revenue": 5},
    }
    assert client.post("/v1/track", json=msg, headers=basic(acc.write_key)).status_code == 200
    ingestor(rt).drain()
    h = {"Authorization": f"Bearer {acc.private_key}"}
    [overview] = client.get("/api/dashboards", headers=h).json["dashboards"]
    return acc, h, overview, at


def test_exports_cut_days_in_the_account_zone_and_say_which(shop, ny_shop):
    app, client, *_ = shop
    acc, h, dash, at = ny_shop
    local_day = at.astimezone(ZoneInfo("America/New_York")).date()
    assert local_day == at.date() - timedelta(days=1)
    span = {"start": local_day - timedelta(days=1), "end": at.date()}
    rows = list(
        csv.DictReader(io.StringIO(get(client, h, dash["id"], "csv", **span).data.decode()))
    )
    orders = {row["t"][:10]: int(row["count"]) for row in rows if row["card"] == "Orders"}
    # The order is on the New York day, not on the UTC one, and each t says its offset.
    assert orders == {str(local_day - timedelta(days=1)): 0, str(local_day): 1, str(at.date()): 0}
    assert all(row["t"].endswith(("-05:00", "-04:00")) for row in rows if row["card"] == "Orders")
    api = client.get(
        f"/api/metrics/Placed%20Order/series?start={span['start']}&end={span['end']}"
        "&tz=America/New_York",
        headers=h,
    ).json
    assert {p["t"][:10]: p["count"] for p in api["series"][0]["points"]} == orders
    page = get(client, h, dash["id"], "html", **span).data.decode()
    assert "Times in America/New_York" in page and "(America/New_York)" in page


def test_the_report_says_today_in_the_account_zone(shop, ny_shop):
    from backend.counters import counter_store
    from backend.reports import build_report

    app, *_ = shop
    acc, _h, dash, _at = ny_shop
    rt = app.extensions["tally"]
    now = datetime(2026, 11, 3, 2, 30, tzinfo=UTC)  # Nov 2, 21:30 in New York
    with rt.db.session() as s:
        report = build_report(s, counter_store(rt), acc.id, dash["id"], {"range": "today"}, now=now)
    assert report.range_label == "Today (2026-11-02)"
    assert report.timezone_label == "Times in America/New_York"
    assert report.generated_label == "02 Nov 2026, 21:30 (America/New_York)"
    assert all(
        (c.start, c.end) == (date(2026, 11, 2), date(2026, 11, 2))
        for c in report.cards
        if not c.card.get("range")
    )

"""The prediction dashboard cards (CLV distribution, top predicted customers) through the API:
stored like other cards, refused with 400 naming the field, exported to CSV (one row per
bucket / per customer) and HTML, and an empty state naming the gate without predictions."""

from __future__ import annotations

import csv
import io
import struct
import unicodedata

import pytest
from pypdf import PdfReader

from backend.predictions import read, service
from backend.store.db import utcnow
from tests.predictions.conftest import add_orders

CARDS = [
    {"chart": "clv_distribution", "x": 0, "y": 0, "w": 6, "h": 3},
    {"chart": "top_customers", "top": 5, "x": 6, "y": 0, "w": 6, "h": 3},
]


def auth(account) -> dict:
    return {"Authorization": f"Bearer {account.private_key}"}


def create(client, account, cards) -> tuple[int, dict]:
    r = client.post(
        "/api/dashboards", json={"name": "Lifetime value", "cards": cards}, headers=auth(account)
    )
    return r.status_code, r.get_json()


def export(client, account, did: int, fmt: str):
    r = client.get(f"/api/dashboards/{did}/export?format={fmt}", headers=auth(account))
    assert r.status_code == 200, r.data[:300]
    return r


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_both_cards_are_stored_with_their_defaults(client, account):
    status, body = create(client, account, CARDS)
    assert status == 201, body
    got = client.get(f"/api/dashboards/{body['id']}", headers=auth(account)).get_json()
    spread, top = got["cards"]
    assert (spread["chart"], spread["title"], spread["clv"]) == (
        "clv_distribution",
        "CLV distribution",
        "total",
    )
    assert spread["metric"] == "Placed Order"  # what predictions are made of
    assert (top["chart"], top["title"], top["top"]) == (
        "top_customers",
        "Top predicted customers",
        5,
    )
    assert "clv" not in top


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_bad_prediction_card_is_400_naming_the_field_and_nothing_is_stored(client, account):
    before = client.get("/api/dashboards", headers=auth(account)).get_json()["dashboards"]
    for card, field in [
        ({"chart": "clv_distribution", "clv": "lifetime"}, "cards[1].clv"),
        ({"chart": "top_customers", "top": 0}, "cards[1].top"),
        ({"chart": "top_customer"}, "cards[1].chart"),
    ]:
        status, body = create(client, account, [CARDS[0], card])
        assert status == 400, body
        assert body["field"] == field and field in body["error"]
    after = client.get("/api/dashboards", headers=auth(account)).get_json()["dashboards"]
    assert len(after) == len(before)


def test_csv_has_one_row_per_bucket_and_per_customer(client, runtime, account, store_with_history):
    assert service.fit_account(runtime.db, account.id) == "ready"
    _, body = create(client, account, CARDS)
    text = export(client, account, body["id"], "csv").data.decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert list(rows[0]) == [
        "card",
        "series",
        "t",
        "count",
        "revenue",
        "profile_id",
        "expected_orders",
        "churn_risk",
    ]
    with runtime.db.session() as s:
        profiles = read.count(s, account.id)
        values = read.clv_values(s, account.id)
        best = read.top_customers(s, account.id, limit=5)
    buckets = [r for r in rows if r["card"] == "CLV distribution"]
    assert 5 <= len(buckets) <= 20
    assert sum(int(r["count"]) for r in buckets) == profiles == len(store_with_history)
    assert abs(sum(float(r["revenue"]) for r in buckets) - sum(values)) < 1.0
    customers = [r for r in rows if r["card"] == "Top predicted customers"]
    assert [int(r["profile_id"]) for r in customers] == [c["id"] for c in best]
    assert [r["series"] for r in customers] == [c["email"] for c in best]
    clv = [float(r["revenue"]) for r in customers]
    assert clv == sorted(clv, reverse=True) and clv[0] > 0
    assert all(0 <= float(r["churn_risk"]) <= 1 for r in customers)

    html = export(client, account, body["id"], "html").data.decode()
    assert f"{profiles:,} profiles by total CLV: the median is $" in html
    assert best[0]["email"] in html


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_pdf_and_png_draw_both_cards(client, runtime, account, store_with_history):
    assert service.fit_account(runtime.db, account.id) == "ready"
    _, body = create(client, account, CARDS)
    with runtime.db.session() as s:
        best = read.top_customers(s, account.id, limit=1)[0]
    pdf = export(client, account, body["id"], "pdf")
    assert pdf.content_type == "application/pdf"
    pages = PdfReader(io.BytesIO(pdf.data)).pages
    # NFKC: the PDF's font writes "fi" as one ligature glyph.
    text = unicodedata.normalize(
        "NFKC", " ".join(" ".join(p.extract_text().split()) for p in pages)
    )
    assert "profiles by total CLV: the median is $" in text
    assert best["email"] in text and "churn risk" in text
    assert "Total CLV" in text and "$" in text.split("the top 10% hold")[1]  # the histogram
    png = export(client, account, body["id"], "png").data
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert width >= 1200 and height >= 3 * 150  # the grid: 12 columns, cards 3 rows high
    card = export(client, account, body["id"], "csv")  # the page's CSV again: still fine
    assert card.status_code == 200
    spread_id = client.get(f"/api/dashboards/{body['id']}", headers=auth(account)).get_json()[
        "cards"
    ][0]["id"]
    svg = client.get(
        f"/api/dashboards/{body['id']}/cards/{spread_id}/export?format=svg", headers=auth(account)
    )
    assert svg.status_code == 200 and b"<svg" in svg.data[:2000]


def test_without_predictions_the_cards_say_which_gate_is_not_met(client, runtime, account):
    add_orders(runtime.db, account.id, [("solo@shop.test", utcnow(), 30.0)])
    _, body = create(client, account, CARDS)
    html = export(client, account, body["id"], "html").data.decode()
    assert "Predictions have not been fitted yet." in html

    assert service.fit_account(runtime.db, account.id) == "not_enough_data"
    html = export(client, account, body["id"], "html").data.decode()
    assert "Customers with orders not met (1 customers with orders (needs 500))" in html
    assert "Settings › Predictions" in html
    text = export(client, account, body["id"], "csv").data.decode()
    assert text.strip().splitlines() == [
        "card,series,t,count,revenue,profile_id,expected_orders,churn_risk"
    ]

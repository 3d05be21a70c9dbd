"""Segments tests: an app without the UI, and helpers sending events through /v1."""

from __future__ import annotations

import pytest

from backend.ingest import ingestor
from tests.ingest.conftest import basic


@pytest.fixture
def seg_app(tmp_path, db_url):
    from app import create_app
    from tests.conftest import make_settings

    app = create_app(make_settings(tmp_path, db_url), ui=False)
    yield app
    app.extensions["tally"].close()


@pytest.fixture
def shop(seg_app):
    return make_shop(seg_app)


def make_shop(app):
    """An account in `app`: .client, .account, .h (private key), .send(kind, body), .drain()."""
    from backend.accounts.service import create_account

    rt = app.extensions["tally"]
    with rt.db.session() as s:
        acc = create_account(s, "Shop")
    client = app.test_client()
    h = {"Authorization": f"Bearer {acc.private_key}"}
    w = basic(acc.write_key)
    n = [0]

    def send(kind: str, body: dict) -> None:
        n[0] += 1
        r = client.post(f"/v1/{kind}", json={"messageId": f"m-{n[0]}", **body}, headers=w)
        assert r.status_code == 200, r.json

    class Shop:
        pass

    shop = Shop()
    shop.client, shop.account, shop.h, shop.send, shop.rt = client, acc, h, send, rt
    shop.drain = lambda: ingestor(rt).drain()
    return shop

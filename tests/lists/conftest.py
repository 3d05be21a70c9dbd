"""Lists tests: one app without the UI per module on each store (building an app costs
~2 s; each test gets an account of its own instead), and waiting for an import's worker
thread to finish."""

from __future__ import annotations

import itertools
import time

import pytest

_names = itertools.count(1)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def lists_app(request, tmp_path_factory):
    from app import create_app
    from tests.conftest import _truncate_pg, make_settings

    tmp = tmp_path_factory.mktemp("lists")
    if request.param == "sqlite":
        url = f"sqlite:///{tmp / 'tally.sqlite3'}"
    else:
        url = request.getfixturevalue("pg_database")
        _truncate_pg(url)
    app = create_app(make_settings(tmp, url), ui=False)
    yield app
    app.extensions["tally"].close()


class Shop:
    def __init__(self, app, name: str = "Shop"):
        from backend.accounts.service import create_account

        self.app = app
        self.rt = app.extensions["tally"]
        with self.rt.db.session() as s:
            self.account = create_account(s, name)
        self.client = app.test_client()
        self.h = {"Authorization": f"Bearer {self.account.private_key}"}

    def api(self, method: str, path: str, status: int | None = None, **kw):
        r = self.client.open(path, method=method, headers=self.h, **kw)
        if status is not None:
            assert r.status_code == status, (r.status_code, r.get_data(as_text=True))
        return r

    def new_list(self, name: str = "Newsletter") -> int:
        return self.api("POST", "/api/lists", 201, json={"name": name}).json["id"]

    def import_csv(self, list_id: int, text: str, consent: bool = False) -> dict:
        """Upload a CSV body and wait until its import has finished; its final JSON."""
        r = self.api(
            "POST",
            f"/api/lists/{list_id}/imports?consent={str(consent).lower()}",
            202,
            data=text.encode(),
            content_type="text/csv",
        )
        return self.wait_import(list_id, r.json["id"])

    def wait_import(self, list_id: int, import_id: int) -> dict:
        deadline = time.monotonic() + 60  # a deadline to poll against, not a speed check
        while True:
            out = self.api("GET", f"/api/lists/{list_id}/imports/{import_id}", 200).json
            if out["status"] in ("done", "failed") or time.monotonic() > deadline:
                return out
            time.sleep(0.05)


@pytest.fixture
def shop(lists_app):
    return Shop(lists_app, f"Shop {next(_names)}")

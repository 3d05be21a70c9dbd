"""`tally serve`'s gunicorn application, as each worker loads it."""

from __future__ import annotations

from app import create_app
from backend import server
from backend.ingest import geo


def test_a_worker_loads_the_geolocation_data_before_its_first_request_where_it_sums(
    settings, monkeypatch
):
    """On SQLite each request worker sums what it accepts by country (backend/ingest/summary.py):
    the data (~0.15 s to load) is loaded with the app, not by the first burst's requests. On
    PostgreSQL the workers never look an address up, and do not load it."""
    monkeypatch.setattr(geo, "_geo", None)
    monkeypatch.setattr(server, "freeze_startup_objects", lambda: None)  # not the test process
    app = server._Gunicorn(
        settings, lambda s, migrate: create_app(s, ui=False), {}, lambda runtime: None
    ).load()
    try:
        assert (geo._geo is not None) == settings.database_url.startswith("sqlite")
    finally:
        app.extensions["tally"].close()

"""A Kafka-mode request worker starts with what its first request would otherwise load
(backend/server.py): the producer, connected, and the geolocation data it sums by."""

from __future__ import annotations

from app import create_app
from backend import server
from backend.ingest import geo, ingestor
from backend.queue.producer import check_reachable
from tests.conftest import make_settings
from tests.queue.conftest import basic, messages, new_account


def test_kafka_worker_starts_with_its_producer_and_geolocation(tmp_path, kafka_env, monkeypatch):
    monkeypatch.setattr(geo, "_geo", None)
    monkeypatch.setattr(server, "freeze_startup_objects", lambda: None)  # not the test process
    settings = make_settings(tmp_path, kafka_env["TALLY_DATABASE_URL"], **kafka_env)
    check_reachable(settings)  # as `tally serve` does before its workers start: the topics
    app = server._Gunicorn(
        settings, lambda s, migrate: create_app(s, ui=False), {}, lambda runtime: None
    ).load()
    rt = app.extensions["tally"]
    try:
        ing = ingestor(rt)
        producer = ing._producer
        assert producer is not None
        assert geo._geo is not None
        # The first request is acknowledged through the producer made at start.
        acc = new_account(rt)
        res = app.test_client().post(
            "/v1/batch", json={"batch": messages(20)}, headers=basic(acc.write_key)
        )
        assert res.status_code == 200, res.get_json()
        assert ing._producer is producer
    finally:
        rt.close()

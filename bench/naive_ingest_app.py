"""The naive baseline for bench/ingest.py: per event, one raw insert and one counter upsert,
committed before answering (as durable as Tally's spool). Served by gunicorn like Tally."""

from __future__ import annotations

import os
import sqlite3
import threading
from datetime import UTC, datetime

import orjson
from flask import Flask, request

DB = os.environ["NAIVE_DB"]
app = Flask(__name__)
_local = threading.local()


def conn() -> sqlite3.Connection:
    c = getattr(_local, "c", None)
    if c is None:
        c = _local.c = sqlite3.connect(DB, timeout=60, isolation_level=None)
        c.execute("PRAGMA journal_mode=WAL")
        # FULL: WAL commits are fsync'd, so a 200 means on disk, as Tally's spool promises.
        # (NORMAL would fsync only at checkpoints: faster, but a power cut loses acks.)
        c.execute(f"PRAGMA synchronous={os.environ.get('NAIVE_SYNC', 'FULL')}")
        c.execute(
            "CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY, message_id TEXT UNIQUE,"
            " metric TEXT, ts TEXT, properties TEXT)"
        )
        c.execute(
            "CREATE TABLE IF NOT EXISTS counters (metric TEXT, hour TEXT, count INTEGER,"
            " revenue REAL, PRIMARY KEY (metric, hour))"
        )
    return c


@app.post("/v1/batch")
def batch():
    msgs = orjson.loads(request.get_data())["batch"]
    c = conn()
    c.execute("BEGIN IMMEDIATE")
    for m in msgs:
        ts = m.get("timestamp") or datetime.now(UTC).isoformat()
        cur = c.execute(
            "INSERT OR IGNORE INTO events (message_id, metric, ts, properties) VALUES (?,?,?,?)",
            (m["messageId"], m["event"], ts, orjson.dumps(m.get("properties", {}))),
        )
        if cur.rowcount:
            c.execute(
                "INSERT INTO counters VALUES (?, ?, 1, ?) ON CONFLICT (metric, hour) DO UPDATE "
                "SET count = count + 1, revenue = revenue + excluded.revenue",
                (m["event"], ts[:13], float(m.get("properties", {}).get("revenue", 0))),
            )
    c.execute("COMMIT")
    return {"success": True}

"""Ingest test helpers: write-key auth, and reading the stores back."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta

import pytest

from backend.counters import counter_store


def basic(key: str) -> dict[str, str]:
    return {"Authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()}


@pytest.fixture
def auth(account):
    return basic(account.write_key)


@pytest.fixture
def totals(runtime):
    """totals(account_id, metric, dimension="") -> {value: (count, revenue)} over all time."""

    def read(account_id: str, metric: str, dimension: str = "") -> dict[str, tuple[int, float]]:
        rows = counter_store(runtime).read(
            account_id,
            metric,
            dimension,
            datetime(2000, 1, 1),
            datetime.utcnow() + timedelta(days=2),
        )
        out: dict[str, tuple[int, float]] = {}
        for (value, _hour), t in rows.items():
            c, r = out.get(value, (0, 0.0))
            out[value] = (c + t.count, round(r + t.revenue, 6))
        return out

    return read


@pytest.fixture
def failing_disk(monkeypatch):
    """fail(how, times=1): the spool's next `times` writes fail. "short" writes half the
    bytes and returns the count (what a full disk does); "error" raises ENOSPC."""
    import errno
    import os

    from backend.ingest import spool

    real = os.write
    left = {"n": 0, "how": "error"}

    def write(fd, data):
        if left["n"] <= 0:
            return real(fd, data)
        left["n"] -= 1
        if left["how"] == "short":
            return real(fd, data[: len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(spool.os, "write", write)

    def fail(how: str = "error", times: int = 1) -> None:
        left["n"], left["how"] = times, how

    return fail

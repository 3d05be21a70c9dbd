"""The demo shop's order history, ingested through the real pipeline, passes every gate and
gives a backtest a person can believe."""

from __future__ import annotations

import pytest

from backend.demo.purchasing import history_messages, seed_order_history
from backend.predictions import service


def test_history_is_deterministic_and_well_formed():
    a = [m for batch in history_messages(50, 100, seed=4) for m in batch]
    b = [m for batch in history_messages(50, 100, seed=4) for m in batch]
    assert [m["messageId"] for m in a] == [m["messageId"] for m in b]
    assert len({m["messageId"] for m in a}) == len(a)
    orders = [m for m in a if m.get("event") == "Placed Order"]
    assert orders and all(m["properties"]["revenue"] > 0 for m in orders)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_demo_history_passes_the_gates_with_a_believable_backtest(runtime, account):
    seed_order_history(runtime, account.id)
    assert service.fit_account(runtime.db, account.id) == "ready"
    with runtime.db.session() as s:
        st = service.status(s, account.id)
    assert all(g["met"] for g in st["gates"]), st["gates"]
    assert st["customers"] == 2500
    assert st["backtest"]["error"] < 0.25

"""`tally demo` prepares a store worth showing: data, published forms, live flows; once."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from backend.config import Settings
from backend.demo.store import prepare_demo
from backend.runtime import Runtime
from backend.store.flow_models import Flow
from backend.store.models import Metric


def test_prepare_demo_is_complete_and_idempotent(tmp_path):
    settings = Settings.from_env({"TALLY_VAR_DIR": str(tmp_path / "var")}, env_file=None)
    lines: list[str] = []
    ready = prepare_demo(settings, events=3000, days=14, echo=lines.append)
    assert ready.secret_key and (tmp_path / "var" / "secret_key").stat().st_mode & 0o077 == 0
    info = json.loads((tmp_path / "var" / "demo-account.json").read_text())
    assert set(info["forms"]) == {"popup", "embed"} and len(info["flows"]) == 2
    assert any("demo@tally.local" in line for line in lines)
    rt = Runtime(ready)
    try:
        with rt.db.session() as s:
            assert {f.status for f in s.scalars(select(Flow))} == {"live"}
            metrics = s.scalar(
                select(func.count()).select_from(Metric).where(Metric.account_id == info["id"])
            )
            assert metrics >= 5
    finally:
        rt.close()
    # A second run reuses the account, the key and the data.
    again = prepare_demo(settings, events=3000, days=14, echo=lines.append)
    assert again.secret_key == ready.secret_key
    assert json.loads((tmp_path / "var" / "demo-account.json").read_text())["id"] == info["id"]

"""`tally demo`: a secret key kept under var/, the demo account (created once), seeded once."""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable

from sqlalchemy import func, select

from backend.config import Settings
from backend.store.models import Account, Metric

DEMO_EMAIL = "demo@tally.local"
DEMO_PASSWORD = "tally-demo"


def ensure_secret(settings: Settings) -> Settings:
    """Use TALLY_SECRET_KEY if set, else one generated once and kept in var/secret_key."""
    if settings.secret_key:
        return settings
    path = settings.var_dir / "secret_key"
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return settings.with_(secret_key=path.read_text().strip())


def prepare_demo(
    settings: Settings, events: int, days: int, echo: Callable[[str], None] = print
) -> Settings:
    from backend.accounts.service import create_account
    from backend.dashboards.service import create as create_dashboard
    from backend.demo.campaigns import create_demo_campaigns
    from backend.demo.flows import create_demo_flows
    from backend.demo.purchasing import seed_order_history
    from backend.demo.seed import seed
    from backend.demo.segments import create_demo_segments
    from backend.demo.storefront import create_demo_forms
    from backend.predictions.cards import DASHBOARD as CUSTOMER_VALUE
    from backend.predictions.service import fit_account as fit_predictions
    from backend.runtime import Runtime

    settings = ensure_secret(settings)
    rt = Runtime(settings)
    try:
        info_path = settings.var_dir / "demo-account.json"
        info = json.loads(info_path.read_text()) if info_path.exists() else None
        with rt.db.session() as s:
            if info is None or s.get(Account, info["id"]) is None:
                created = create_account(s, "Demo Store", email=DEMO_EMAIL, password=DEMO_PASSWORD)
                info = created.as_dict()
                info["forms"] = create_demo_forms(s, created.id)
                info["flows"] = create_demo_flows(s, created.id)
                info_path.write_text(json.dumps(info, indent=2))
                os.chmod(info_path, 0o600)
            seeded = s.scalar(
                select(func.count()).select_from(Metric).where(Metric.account_id == info["id"])
            )
        if not seeded and events > 0:
            echo(f"Seeding the demo store with {events:,} events over {days} days...")
            seed(rt, info["id"], events=events, days=days, progress=True)
            # Known customers' purchases over 400 days (BG/NBD-like): predictions pass their
            # gates, and the backtest has a history to hold out (docs/predictions.md).
            echo("Adding the shop's order history (2,500 customers over 400 days)...")
            seed_order_history(rt, info["id"])
            fit_predictions(rt.db, info["id"])
            with rt.db.session() as s:  # the predictions on a dashboard of their own
                create_dashboard(s, info["id"], CUSTOMER_VALUE)
        create_demo_segments(rt, info["id"])
        create_demo_campaigns(rt, info["id"])  # after the segments they go to
        echo("")
        echo(f"Demo account {info['name']} ({info['id']})")
        echo(f"  login:     {info['login']['email']} / {info['login']['password']}")
        echo(f"  write key: {info['write_key']}   (kept in {info_path})")
    finally:
        rt.close()
    return settings


def demo_info(settings: Settings) -> dict:
    return json.loads((settings.var_dir / "demo-account.json").read_text())

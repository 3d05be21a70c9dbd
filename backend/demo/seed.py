"""Feed generated traffic through the ingestion pipeline, with a progress bar."""

from __future__ import annotations

from datetime import UTC, datetime

from tqdm import tqdm

from backend.demo.traffic import generate

# Fold the spool every this many messages, so the spool never grows large.
DRAIN_EVERY = 50_000


def seed(
    runtime,
    account_id: str,
    events: int = 1_000_000,
    days: int = 90,
    progress: bool = True,
    seed: int = 0,
    end: datetime | None = None,
) -> int:
    """Generate `events` messages over the last `days` days for the account and ingest them
    (validated, spooled and folded exactly like /v1 traffic). Returns how many were folded."""
    from backend.ingest import ingestor

    ing = ingestor(runtime)
    folded = 0
    pending = 0
    with tqdm(
        total=events,
        unit="ev",
        unit_scale=True,
        disable=not progress,
        desc="seeding",
        smoothing=0.05,
    ) as bar:
        for batch in generate(events, days, end or datetime.now(UTC), seed=seed):
            ing.accept(account_id, batch)
            pending += len(batch)
            if pending >= DRAIN_EVERY:
                folded += ing.drain()
                pending = 0
            bar.update(len(batch))
        folded += ing.drain()
    return folded

"""The demo traffic generator against the server's own check of the same messages.

    .venv/bin/python bench/demo_traffic.py [--events 100000] [--rounds 5]

The generator feeds `tally demo`, the storefront and the load tests, so it should make
messages at least as fast as one request worker accepts them, or a load test measures
the generator. The baseline is ingestion's `normalise()` over the very messages
generated, in the same process: the per-message validation every /v1 request does, and
only part of a worker's cost an event (the whole request path: docs/kafka.md, "Speed"). Both are timed in CPU seconds (steadier than wall time on a shared box),
in alternating rounds; the ratio is what to compare across machines.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from backend.demo import generate  # noqa: E402
from backend.ingest.validate import normalise  # noqa: E402

END = datetime(2026, 12, 20, 18, 0, tzinfo=UTC)


def generated(n: int, seed: int) -> tuple[list[dict], float]:
    t0 = time.process_time()
    msgs = [m for batch in generate(n, 90, END, seed=seed) for m in batch]
    return msgs, time.process_time() - t0


def validated(msgs: list[dict]) -> float:
    t0 = time.process_time()
    for i, m in enumerate(msgs):
        normalise(m, f"batch[{i}]", END, None, None)
    return time.process_time() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()

    generated(1000, 0)  # warm: the IP tables and the catalogue load once per process
    gen_rates, check_rates = [], []
    for r in range(args.rounds):
        msgs, g = generated(args.events, seed=r + 1)
        c = validated(msgs)
        gen_rates.append(len(msgs) / g)
        check_rates.append(len(msgs) / c)
        print(
            f"round {r + 1}: generator {gen_rates[-1]:>9,.0f} msg/s   "
            f"normalise {check_rates[-1]:>9,.0f} msg/s   ratio {gen_rates[-1] / check_rates[-1]:.2f}x"
        )
    g, c = statistics.median(gen_rates), statistics.median(check_rates)
    print(
        f"\nmedian of {args.rounds}: generator {g:,.0f} messages a CPU second, "
        f"{1e6 / g:.1f} us a message; normalise {c:,.0f} a CPU second; "
        f"generator / normalise {g / c:.2f}x"
    )


if __name__ == "__main__":
    main()

"""CLV fits as the customer base grows: summarise orders, fit BG/NBD and Gamma-Gamma, score
every customer over the next 365 days and run the holdout backtest, in process (no store),
at 10k, 100k and 1M customers with ~20 orders each (100k customers: ~2M orders).

    .venv/bin/python bench/clv.py [--sizes 10000,100000,1000000] [--pymc]

Each size runs in a fresh child process, so its peak memory (ru_maxrss) is its own. The
scipy models compile nothing: the first fit is as fast as the next (the import is timed).
`--pymc` also times pymc-marketing's MAP fit of BG/NBD on the same customers (import, first
fit with its graph compilation, second fit), the comparison docs/predictions.md quotes.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# A shop whose customers buy every few weeks and lapse slowly: ~20 orders a customer over
# two years, so 100k customers place ~2M orders (the target of issue 22).
PARAMS = {"r": 2.0, "alpha": 30.0, "a": 0.3, "b": 12.0}
DAYS = 730


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def one(customers: int, pymc: bool) -> dict:
    t0 = time.perf_counter()
    import numpy as np

    from backend.demo.purchasing import simulate
    from backend.predictions import backtest
    from backend.predictions.data import Orders, summarise
    from backend.predictions.score import fit, rfm_weeks, score

    out = {"customers": customers, "import_s": time.perf_counter() - t0}
    sim = simulate(customers, DAYS, seed=1, params=PARAMS)
    orders = Orders(sim.customer.astype(np.int64), sim.day, sim.revenue)
    del sim
    out["orders"] = len(orders)
    base_mb = _peak_mb()
    t = time.perf_counter()
    c = summarise(orders)
    out["summarise_s"] = time.perf_counter() - t
    t = time.perf_counter()
    model = fit(c, float(DAYS))
    out["fit_s"] = time.perf_counter() - t
    t = time.perf_counter()
    scores = score(model, c, float(DAYS))
    out["score_s"] = time.perf_counter() - t
    assert np.isfinite(scores.expected_orders).all()
    t = time.perf_counter()
    trial = backtest.run(orders, float(DAYS))
    out["backtest_s"] = time.perf_counter() - t
    out["backtest_error"] = trial["error"] if trial else None
    out["total_s"] = sum(out[k] for k in ("summarise_s", "fit_s", "score_s", "backtest_s"))
    out["peak_mb"] = _peak_mb()
    out["data_mb"] = base_mb
    if pymc:
        import pandas as pd

        t = time.perf_counter()
        from pymc_extras.prior import Prior
        from pymc_marketing.clv import BetaGeoModel

        out["pymc_import_s"] = time.perf_counter() - t
        x, t_x, T = rfm_weeks(c, float(DAYS))
        frame = pd.DataFrame(
            {"customer_id": np.arange(len(x)), "frequency": x, "recency": t_x, "T": T}
        )
        flat = {k: Prior("HalfFlat") for k in ("r", "alpha", "a", "b")}
        for run in ("pymc_first_fit_s", "pymc_second_fit_s"):
            t = time.perf_counter()
            BetaGeoModel(data=frame, model_config=flat).fit(method="map", progressbar=False)
            out[run] = time.perf_counter() - t
        out["pymc_peak_mb"] = _peak_mb()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,100000,1000000")
    ap.add_argument("--pymc", action="store_true")
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(one(args.child, args.pymc)))
        return
    rows = []
    for n in (int(s) for s in args.sizes.split(",")):
        cmd = [sys.executable, __file__, "--child", str(n)] + (["--pymc"] if args.pymc else [])
        res = subprocess.run(cmd, capture_output=True, text=True, check=True)
        rows.append(json.loads(res.stdout.strip().splitlines()[-1]))
        r = rows[-1]
        print(
            f"{r['customers']:>9,} customers {r['orders']:>11,} orders: "
            f"summarise {r['summarise_s']:.2f} s, fit {r['fit_s']:.2f} s, "
            f"score {r['score_s']:.2f} s, backtest {r['backtest_s']:.2f} s = "
            f"{r['total_s']:.2f} s; peak {r['peak_mb']:.0f} MB "
            f"(orders alone {r['data_mb']:.0f} MB); import {r['import_s']:.2f} s, no compile",
            flush=True,
        )
        if args.pymc:
            print(
                f"{'':>9} pymc-marketing MAP (BG/NBD only): import {r['pymc_import_s']:.1f} s, "
                f"first fit {r['pymc_first_fit_s']:.1f} s, second {r['pymc_second_fit_s']:.1f} s, "
                f"peak {r['pymc_peak_mb']:.0f} MB",
                flush=True,
            )
    first = rows[0]
    for r in rows[1:]:
        print(
            f"x{r['customers'] / first['customers']:.0f} customers -> "
            f"x{r['total_s'] / first['total_s']:.1f} time, "
            f"x{r['peak_mb'] / first['peak_mb']:.1f} peak memory"
        )


if __name__ == "__main__":
    main()

"""The load generator process: `python -m backend.loadtest.generator CONFIG.json`.

Its own process because gevent monkey-patches the standard library: done here, first thing,
it never reaches the CLI or the server. Open model: each scenario's arrivals are a Poisson
process at the stage's rate, each arrival runs in its own greenlet when it is due whether or
not earlier ones have answered, and latency counts from the due time (coordinated-omission
safe). Prints one JSON line of progress every half second; writes its results as JSON, and
Locust's own request stats (service time, not from due) as CSV."""

from __future__ import annotations

from gevent import monkey

monkey.patch_all()

import csv  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from pathlib import Path  # noqa: E402

import gevent  # noqa: E402
import gevent.pool  # noqa: E402
import urllib3.util  # noqa: E402
import urllib3.util.ssl_  # noqa: E402
from gevent.lock import Semaphore  # noqa: E402

# Locust 2.47 imports create_urllib3_context from urllib3 2's urllib3.util; the project pins
# urllib3 1.26 (selenium), where it lives in urllib3.util.ssl_. Same function: lend it here,
# in this process only.
if not hasattr(urllib3.util, "create_urllib3_context"):
    urllib3.util.create_urllib3_context = urllib3.util.ssl_.create_urllib3_context
warnings.filterwarnings("ignore", category=DeprecationWarning)

import requests  # noqa: E402
from locust.env import Environment  # noqa: E402
from locust.stats import StatsCSV  # noqa: E402

from backend.loadtest.recorder import WARMUP_ARRIVALS, Recorder  # noqa: E402
from backend.loadtest.scenarios import SCENARIO_CLASSES, Context, TallyUser  # noqa: E402
from backend.loadtest.slo import breaches  # noqa: E402

DRAIN_S = 30.0  # after the last arrival, how long answers may still come in
RETRIES, RETRY_S = 3, 120.0


class Run:
    def __init__(self, cfg: dict) -> None:
        self.cfg = cfg
        self.rec = Recorder(cfg["window_s"])
        self.t0 = time.monotonic()
        self.wall_t0 = time.time()
        self.ctx = Context(cfg, self.rec, random.Random(cfg["seed"]), self.t0)
        TallyUser.ctx = self.ctx
        TallyUser.host = cfg["target"]
        TallyUser.network_timeout = cfg.get("request_timeout_s", 30.0)
        self.env = Environment(host=cfg["target"], user_classes=list(SCENARIO_CLASSES.values()))
        self.env.events.request.add_listener(self._locust_stats)
        self.slots = Semaphore(cfg["max_in_flight"])
        self.idle: dict[str, list] = {k: [] for k in SCENARIO_CLASSES}
        self.inflight: set = set()
        self.stop_at: float | None = None  # a ramp step broke: no arrivals due after this
        self.ramp: list[dict] = []
        self.stages = cfg["stages"]
        self.end = self.stages[-1][1]

    def _locust_stats(
        self, request_type, name, response_time, response_length, exception=None, **_kw
    ) -> None:
        self.env.stats.log_request(request_type, name, response_time, response_length)
        if exception:
            self.env.stats.log_error(request_type, name, exception)

    def requests_made(self) -> int:
        return sum(ep[1] for ep in self.rec.endpoints.values())

    def spawner(self, scenario: str, rate: float) -> None:
        rng = random.Random(f"{self.cfg['seed']}-{scenario}")
        for i, (start, end, mult) in enumerate(self.stages):
            t = start
            lam = rate * mult
            while lam > 0:
                t += rng.expovariate(lam)
                if t >= end or (self.stop_at is not None and t >= self.stop_at):
                    break
                if self.requests_made() >= self.cfg["max_requests"]:
                    self.stop_at = min(self.stop_at or t, t)
                    return
                wait = t - self.ctx.now()
                if wait > 0:
                    gevent.sleep(wait)
                self.rec.arrival(t, scenario)
                g = gevent.spawn(self.arrival, scenario, t, i)
                self.inflight.add(g)
                g.link(self.inflight.discard)
            if self.stop_at is not None:
                return

    def once(self, scenario: str, t: float) -> None:
        """A one-off arrival at `t` (the campaign sent while the rest runs)."""
        gevent.sleep(max(0.0, t - self.ctx.now()))
        if self.stop_at is not None and t >= self.stop_at:
            return
        stage = next((i for i, (a, b, _m) in enumerate(self.stages) if a <= t < b), 0)
        self.rec.arrival(t, scenario)
        g = gevent.spawn(self.arrival, scenario, t, stage)
        self.inflight.add(g)
        g.link(self.inflight.discard)

    def arrival(self, scenario: str, due: float, stage: int) -> None:
        with self.slots:  # waiting here is latency too: it counts from `due`
            pool = self.idle[scenario]
            user = None
            try:
                user = pool.pop() if pool else SCENARIO_CLASSES[scenario](self.env)
                user.start_arrival(due, stage)
                user.arrive()
            except Exception as exc:  # a scenario bug or a garbled answer: a failure, shown
                self.rec.failures[f"{scenario}: {type(exc).__name__}: {exc}"[:200]] += 1
                self.rec.crashed += 1
            finally:
                if user is not None:
                    pool.append(user)

    def judge_steps(self) -> None:
        """--ramp: after each step (and its stragglers), check its SLOs; stop at a break."""
        slo = self.cfg["ramp_slo"]
        for i, (start, end, mult) in enumerate(self.stages):
            gevent.sleep(max(0.0, end - self.ctx.now()) + min(5.0, (end - start) / 4))
            broken = breaches(self.rec.groups(i), slo)
            self.ramp.append(
                {
                    "step": i,
                    "multiple": mult,
                    "start": start,
                    "end": end,
                    "held": not broken,
                    "breaches": broken,
                }
            )
            if broken:
                self.stop_at = min(self.stop_at or end, end)
                return

    def sample_lag(self) -> None:
        while True:
            try:
                spool = requests.get(self.cfg["target"] + "/healthz", timeout=5).json()["spool"]
                self.rec.lag_samples.append(
                    (
                        round(self.ctx.now(), 2),
                        spool.get("oldest_seconds", 0),
                        spool.get("bytes", 0),
                    )
                )
            except (requests.RequestException, ValueError, KeyError, TypeError):
                pass
            gevent.sleep(1.0)

    def progress(self) -> None:
        while True:
            errors = sum(ep[2] for ep in self.rec.endpoints.values())
            line = {
                "t": round(self.ctx.now(), 2),
                "end": self.stop_at or self.end,
                "requests": self.requests_made(),
                "errors": errors,
                "in_flight": len(self.inflight),
            }
            print(json.dumps(line), flush=True)
            gevent.sleep(0.5)

    def warm_up(self) -> None:
        """A few arrivals of each scenario before the clock starts: the server's workers load
        lazily on their first requests, which would otherwise land in the first window (and
        the first ramp step) as outliers of no interest. Their events are in the ledger."""
        self.ctx.warming = True
        jobs = [
            gevent.spawn(self.arrival, s, 0.0, 0)
            for s, r in self.cfg["rates"].items()
            if r > 0 and s in SCENARIO_CLASSES
            for _ in range(WARMUP_ARRIVALS)
        ]
        gevent.joinall(jobs, timeout=DRAIN_S)
        gevent.killall(jobs, timeout=5)
        self.ctx.warming = False
        self.t0 = self.ctx.t0 = time.monotonic()
        self.wall_t0 = time.time()

    def retry(self) -> None:
        """Send again, with the same messageIds, each /v1 call that got no answer (or a 5xx),
        like Segment's SDKs: at most RETRIES times each, RETRY_S in all, 16 at a time."""
        todo, deadline = list(self.ctx.retries), time.monotonic() + RETRY_S
        auth = (self.cfg["write_key"], "")

        def one(item) -> None:
            path, body, events = item
            for attempt in range(RETRIES):
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                try:
                    r = requests.post(
                        self.cfg["target"] + path, json=body, auth=auth, timeout=min(30.0, left)
                    )
                    if r.status_code == 200 and r.json().get("success") is True:
                        for metric, cents in events:
                            self.rec.ack(metric, 1, cents)
                        self.rec.retried[0] += 1
                        return
                    if 400 <= r.status_code < 500:
                        break  # refused: nothing of it is counted
                except (requests.RequestException, ValueError):
                    pass
                gevent.sleep(0.5 * (attempt + 1))
            self.rec.retried[1] += 1
            for metric, cents in events:
                self.rec.doubt[metric][0] += 1
                self.rec.doubt[metric][1] += cents

        pool = gevent.pool.Pool(16)
        pool.map(one, todo)

    def run(self) -> dict:
        self.warm_up()
        helpers = [gevent.spawn(self.progress), gevent.spawn(self.sample_lag)]
        if self.cfg.get("ramp_slo"):
            helpers.append(gevent.spawn(self.judge_steps))
        spawners = [
            gevent.spawn(self.spawner, s, r)
            for s, r in self.cfg["rates"].items()
            if r > 0 and s in SCENARIO_CLASSES
        ]
        if self.cfg.get("campaign"):
            spawners.append(gevent.spawn(self.once, "campaign", self.cfg["campaign"]["at"]))
        gevent.joinall(spawners)
        gevent.joinall(list(self.inflight), timeout=DRAIN_S)
        unfinished = len(self.inflight)
        gevent.killall(list(self.inflight), block=True, timeout=5)
        if self.cfg.get("ramp_slo"):
            gevent.joinall(helpers[2:], timeout=10)
        gevent.killall(helpers[:2], block=False)
        self.retry()
        if unfinished:
            self.rec.failures[f"unfinished after {DRAIN_S:g} s drain"] += unfinished
            self.rec.crashed += unfinished
        return {
            "wall_t0": self.wall_t0,
            "ended": round(self.ctx.now(), 3),
            "stop_at": self.stop_at,
            "stages": self.stages,
            "ramp": self.ramp,
            "unfinished": unfinished,
            "campaigns": self.ctx.campaigns,
            "recorder": self.rec.to_json(),
        }

    def write_locust_csv(self, base: Path) -> None:
        stats = StatsCSV(self.env, [0.5, 0.95, 0.99, 0.999])
        with open(f"{base}_stats.csv", "w", newline="") as f:
            stats.requests_csv(csv.writer(f))
        with open(f"{base}_failures.csv", "w", newline="") as f:
            stats.failures_csv(csv.writer(f))


def main(argv: list[str]) -> int:
    cfg = json.loads(Path(argv[1]).read_text())
    run = Run(cfg)
    result = run.run()
    out = Path(cfg["out"])
    out.mkdir(parents=True, exist_ok=True)
    run.write_locust_csv(out / "locust")
    (out / "raw.json").write_text(json.dumps(result))
    print(json.dumps({"done": True}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

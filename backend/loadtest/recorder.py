"""What the generator saw: latency from each request's due time, by group and time window,
offered and achieved rates, errors, and the ledger of acknowledged events.

Plain Python (no gevent), so the CLI process reads the same JSON back with it."""

from __future__ import annotations

from collections import defaultdict

from backend.loadtest.histogram import Histogram

WARMUP_ARRIVALS = 4  # per scenario before the clock starts: acknowledged, not timed


class Recorder:
    def __init__(self, window_s: float) -> None:
        self.window_s = window_s
        # window -> group -> Histogram of latency from due
        self.latency: dict[int, dict[str, Histogram]] = defaultdict(dict)
        self.offered: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.achieved: dict[int, int] = defaultdict(int)
        self.errors: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        # endpoint name -> [group, requests, errors, Histogram(from due), Histogram(service)]
        self.endpoints: dict[str, list] = {}
        self.statuses: dict[str, int] = defaultdict(int)
        self.failures: dict[str, int] = defaultdict(int)  # "name: why" -> times
        self.ledger: dict[str, list] = defaultdict(lambda: [0, 0])  # metric -> [count, cents]
        self.stages: dict[int, dict[str, list]] = defaultdict(dict)  # stage -> group -> [n,e,H]
        self.generator_lag = Histogram()  # due -> actually sent: the generator's own delay
        self.lag_samples: list[tuple[float, float, int]] = []  # (t, oldest_seconds, bytes)
        # metric -> events sent without an answer (or with a 5xx) and not retried: the target
        # may or may not have counted them
        self.doubt: dict[str, list] = defaultdict(lambda: [0, 0])  # metric -> [events, cents]
        self.retried = [0, 0]  # /v1 calls sent again after the run: [acknowledged, not]
        self.crashed = 0  # arrivals that raised or never finished: failures outside a request

    def window(self, t: float) -> int:
        return int(t // self.window_s)

    def arrival(self, t_due: float, scenario: str) -> None:
        self.offered[self.window(t_due)][scenario] += 1

    def request(
        self,
        stage: int,
        group: str,
        name: str,
        t_due: float,
        t_sent: float,
        t_end: float,
        status: int,
        error: str | None,
    ) -> None:
        """One request: t_due is when it should have started (the arrival's time for the first
        request of an arrival), t_sent when it did, t_end when its answer ended (run-relative
        seconds)."""
        w = self.window(t_due)
        hist = self.latency[w].get(group)
        if hist is None:
            hist = self.latency[w][group] = Histogram()
        hist.record((t_end - t_due) * 1e6)
        self.achieved[self.window(t_end)] += 1
        ep = self.endpoints.get(name)
        if ep is None:
            ep = self.endpoints[name] = [group, 0, 0, Histogram(), Histogram()]
        ep[1] += 1
        ep[3].record((t_end - t_due) * 1e6)
        ep[4].record((t_end - t_sent) * 1e6)
        self.statuses[str(status)] += 1
        st = self.stages[stage].get(group)
        if st is None:
            st = self.stages[stage][group] = [0, 0, Histogram()]
        st[0] += 1
        st[2].record((t_end - t_due) * 1e6)
        if error is not None:
            ep[2] += 1
            st[1] += 1
            self.errors[w][group] += 1
            self.failures[f"{name}: {error}"] += 1

    def ack(self, metric: str, count: int = 1, revenue_cents: int = 0) -> None:
        entry = self.ledger[metric]
        entry[0] += count
        entry[1] += revenue_cents

    def to_json(self) -> dict:
        return {
            "window_s": self.window_s,
            "latency": {
                str(w): {g: h.to_json() for g, h in gs.items()} for w, gs in self.latency.items()
            },
            "offered": {str(w): dict(v) for w, v in self.offered.items()},
            "achieved": {str(w): n for w, n in self.achieved.items()},
            "errors": {str(w): dict(v) for w, v in self.errors.items()},
            "endpoints": {
                n: [g, r, e, d.to_json(), s.to_json()]
                for n, (g, r, e, d, s) in self.endpoints.items()
            },
            "statuses": dict(self.statuses),
            "failures": dict(self.failures),
            "ledger": {m: list(v) for m, v in self.ledger.items()},
            "stages": {
                str(i): {g: [n, e, h.to_json()] for g, (n, e, h) in gs.items()}
                for i, gs in self.stages.items()
            },
            "generator_lag": self.generator_lag.to_json(),
            "lag_samples": self.lag_samples,
            "crashed": self.crashed,
            "doubt": {m: list(v) for m, v in self.doubt.items()},
            "retried": self.retried,
        }

    @classmethod
    def from_json(cls, raw: dict) -> Recorder:
        r = cls(raw["window_s"])
        for w, gs in raw["latency"].items():
            r.latency[int(w)] = {g: Histogram.from_json(h) for g, h in gs.items()}
        for w, v in raw["offered"].items():
            r.offered[int(w)].update(v)
        r.achieved.update({int(w): n for w, n in raw["achieved"].items()})
        for w, v in raw["errors"].items():
            r.errors[int(w)].update(v)
        r.endpoints = {
            n: [g, req, e, Histogram.from_json(d), Histogram.from_json(s)]
            for n, (g, req, e, d, s) in raw["endpoints"].items()
        }
        r.statuses.update(raw["statuses"])
        r.failures.update(raw["failures"])
        for m, v in raw["ledger"].items():
            r.ledger[m] = list(v)
        for i, gs in raw["stages"].items():
            r.stages[int(i)] = {g: [n, e, Histogram.from_json(h)] for g, (n, e, h) in gs.items()}
        r.generator_lag = Histogram.from_json(raw["generator_lag"])
        r.lag_samples = [tuple(x) for x in raw["lag_samples"]]
        r.crashed = raw["crashed"]
        for m, v in raw["doubt"].items():
            r.doubt[m] = list(v)
        r.retried = list(raw["retried"])
        return r

    def groups(self, stage: int | None = None) -> dict[str, tuple[int, int, Histogram]]:
        """group -> (requests, errors, latency histogram), for the run or one stage."""
        stages = [stage] if stage is not None else list(self.stages)
        out: dict[str, list] = {}
        for i in stages:
            for g, (n, e, h) in self.stages.get(i, {}).items():
                acc = out.setdefault(g, [0, 0, Histogram()])
                acc[0] += n
                acc[1] += e
                acc[2].merge(h)
        return {g: tuple(v) for g, v in out.items()}

"""SLO evaluation: each objective of the profile against what the run measured.

Latency percentiles count from each request's due time; the error rate counts requests that
failed (5xx, no answer, an unexpected status) plus arrivals that crashed or never finished;
the counting lag is the worst of the oldest-uncounted ages sampled from /healthz during the
run and the time the backlog took to drain after it."""

from __future__ import annotations

from dataclasses import dataclass

PCT = {"p50": 50.0, "p95": 95.0, "p99": 99.0, "p999": 99.9}


@dataclass(frozen=True)
class Check:
    name: str  # e.g. "ingest p99"
    limit: float
    actual: float
    unit: str

    @property
    def held(self) -> bool:
        return self.actual <= self.limit

    def line(self) -> str:
        mark = "held" if self.held else "BROKE"
        return (
            f"{self.name}: {self.actual:,.{_digits(self.unit)}f} {self.unit} "
            f"(limit {self.limit:,.{_digits(self.unit)}f}) {mark}"
        )


def _digits(unit: str) -> int:
    return 4 if unit == "" else 1


def enough(n: int, pct: str) -> bool:
    """At least two samples beyond the percentile (p95: 40, p99: 200, p99.9: 2,000): below
    that a percentile is the maximum, and one slow answer would decide a ramp step."""
    return n * (100.0 - PCT[pct]) / 100.0 >= 2.0


def latency_checks(groups: dict, slo: dict, judge_small: bool = True) -> list[Check]:
    """groups: name -> (requests, errors, Histogram); slo: Slo.__dict__. Without
    `judge_small`, a percentile of too few samples is left out."""
    out = []
    for group, limits in sorted(slo.get("latency", {}).items()):
        if group not in groups:
            continue  # nothing of that group ran: nothing to judge
        hist = groups[group][2]
        for pct, limit in limits.items():
            if not judge_small and not enough(hist.count, pct):
                continue
            out.append(Check(f"{group} {pct}", limit, hist.percentile(PCT[pct]), "ms"))
    return out


def error_check(groups: dict, slo: dict, crashed: int = 0) -> Check:
    n = sum(v[0] for v in groups.values())
    e = sum(v[1] for v in groups.values()) + crashed
    return Check("error rate", slo["error_rate"], e / max(1, n + crashed), "")


def breaches(groups: dict, slo: dict, crashed: int = 0) -> list[str]:
    """The broken objectives of one ramp step (latency and errors), as lines; a percentile
    of fewer samples than `enough` is not judged (a whole run's always is)."""
    checks = [*latency_checks(groups, slo, judge_small=False), error_check(groups, slo, crashed)]
    return [c.line() for c in checks if not c.held]


def evaluate(groups: dict, slo: dict, crashed: int, counting_lag_s: float) -> list[Check]:
    return [
        *latency_checks(groups, slo),
        error_check(groups, slo, crashed),
        Check("counting lag", slo["counting_lag_s"], counting_lag_s, "s"),
    ]

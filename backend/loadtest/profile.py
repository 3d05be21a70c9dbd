"""Load profiles: TOML files with each scenario's arrival rate, the run's shape and its SLOs.

A profile that does not parse raises ProfileError with ONE line naming the file and the
problem; the CLI prints it and exits 2."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

PROFILES = Path(__file__).resolve().parent / "profiles"
SCENARIOS = ("visitor", "sdk", "marketer", "email")
GROUPS = ("storefront", "ingest", "read", "ui", "email")
PERCENTILES = ("p50", "p95", "p99", "p999")


class ProfileError(ValueError):
    """A profile that cannot be used; str() is one line."""


@dataclass(frozen=True)
class Ramp:
    start: float = 0.5  # multiple of the profile's peak rates at the first step
    factor: float = 1.5  # each step's multiple over the previous one
    step_s: float = 10.0
    max_steps: int = 8


@dataclass(frozen=True)
class Slo:
    error_rate: float = 0.001  # failed requests / requests
    counting_lag_s: float = 30.0  # acknowledged -> counted, worst seen
    latency: dict[str, dict[str, float]] = field(default_factory=dict)  # group -> {p95: ms}


@dataclass(frozen=True)
class Profile:
    name: str
    description: str
    duration_s: float
    rates: dict[str, float]  # scenario -> arrivals per second at the peak
    shape: tuple[float, ...]  # the rates' multiple over equal slices of the run
    slo: Slo
    ramp: Ramp
    batch_size: int = 20
    submit_share: float = 0.02  # visits that submit the form
    max_in_flight: int = 256
    max_requests: int = 200_000
    request_timeout_s: float = 30.0  # no answer by then: a failure, and a /v1 call is retried
    seed: int = 1
    campaign_recipients: int = 0  # a campaign to this many sent while the rest runs
    campaign_at: float = 0.3  # when, as a share of the run

    def scaled(self, duration_s: float | None = None, rate: float | None = None) -> Profile:
        """The same profile run for another duration, or with its rates times `rate`."""
        rates = {k: v * rate for k, v in self.rates.items()} if rate else self.rates
        return Profile(
            **{**self.__dict__, "duration_s": duration_s or self.duration_s, "rates": rates}
        )

    def as_dict(self) -> dict:
        return {
            **{k: v for k, v in self.__dict__.items() if k not in ("slo", "ramp")},
            "shape": list(self.shape),
            "slo": self.slo.__dict__,
            "ramp": self.ramp.__dict__,
        }


def resolve(spec: str) -> Path:
    """A shipped profile's name (smoke) or a path to a TOML file."""
    if spec.endswith(".toml") or "/" in spec:
        return Path(spec)
    path = PROFILES / f"{spec}.toml"
    if not path.is_file():
        shipped = ", ".join(sorted(p.stem for p in PROFILES.glob("*.toml")))
        raise ProfileError(f"no profile {spec!r}: use one of {shipped}, or a .toml file")
    return path


def load(spec: str) -> Profile:
    path = resolve(spec)
    try:
        raw = tomllib.loads(path.read_text())
    except OSError as exc:
        raise ProfileError(f"{path}: cannot read it ({exc.strerror})") from None
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"{path}: not valid TOML: {exc}") from None
    try:
        return parse(raw, default_name=path.stem)
    except ProfileError as exc:
        raise ProfileError(f"{path}: {exc}") from None


def _num(obj: dict, key: str, where: str, default=None, lo=0.0, hi=float("inf"), integer=False):
    value = obj.get(key, default)
    if value is None:
        raise ProfileError(f"{where}{key}: is required")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ProfileError(f"{where}{key}: must be a number, not {value!r}")
    if integer and not isinstance(value, int):
        raise ProfileError(f"{where}{key}: must be a whole number, not {value!r}")
    if not lo <= value <= hi:
        raise ProfileError(f"{where}{key}: must be between {lo:g} and {hi:g}, not {value!r}")
    return value


def _table(obj: dict, key: str) -> dict:
    value = obj.get(key, {})
    if not isinstance(value, dict):
        raise ProfileError(f"{key}: must be a table, not {value!r}")
    return value


def _unknown(obj: dict, allowed, where: str) -> None:
    extra = sorted(set(obj) - set(allowed))
    if extra:
        raise ProfileError(f"{where}{extra[0]}: unknown key; use one of {', '.join(allowed)}")


def parse(raw: dict, default_name: str = "profile") -> Profile:
    _unknown(
        raw,
        (
            "name",
            "description",
            "duration_s",
            "shape",
            "seed",
            "rates",
            "sdk",
            "visitor",
            "limits",
            "slo",
            "ramp",
            "campaign",
        ),
        "",
    )
    rates_raw = _table(raw, "rates")
    _unknown(rates_raw, SCENARIOS, "rates.")
    rates = {s: float(_num(rates_raw, s, "rates.", 0.0, 0.0, 10_000.0)) for s in SCENARIOS}
    if not any(rates.values()):
        raise ProfileError("rates: give at least one scenario a rate above 0")
    shape = raw.get("shape", [1.0])
    if not isinstance(shape, list) or not shape:
        raise ProfileError(f"shape: must be a non-empty list of numbers, not {shape!r}")
    for i, v in enumerate(shape):
        _num({"v": v}, "v", f"shape[{i}]", lo=0.0, hi=100.0)
    sdk, visitor, limits = _table(raw, "sdk"), _table(raw, "visitor"), _table(raw, "limits")
    campaign = _table(raw, "campaign")
    _unknown(campaign, ("recipients", "at"), "campaign.")
    _unknown(sdk, ("batch_size",), "sdk.")
    _unknown(visitor, ("submit_share",), "visitor.")
    _unknown(limits, ("max_in_flight", "max_requests", "request_timeout_s"), "limits.")
    return Profile(
        name=str(raw.get("name", default_name)),
        description=str(raw.get("description", "")),
        duration_s=float(_num(raw, "duration_s", "", None, 1.0, 24 * 3600.0)),
        rates=rates,
        shape=tuple(float(v) for v in shape),
        slo=_slo(_table(raw, "slo")),
        ramp=_ramp(_table(raw, "ramp")),
        batch_size=_num(sdk, "batch_size", "sdk.", 20, 1, 2500, integer=True),
        submit_share=float(_num(visitor, "submit_share", "visitor.", 0.02, 0.0, 1.0)),
        max_in_flight=_num(limits, "max_in_flight", "limits.", 256, 1, 10_000, integer=True),
        max_requests=_num(limits, "max_requests", "limits.", 200_000, 1, 10**8, integer=True),
        request_timeout_s=float(_num(limits, "request_timeout_s", "limits.", 30.0, 0.1, 600.0)),
        seed=_num(raw, "seed", "", 1, 0, 2**31, integer=True),
        campaign_recipients=_num(campaign, "recipients", "campaign.", 0, 0, 100_000, integer=True),
        campaign_at=float(_num(campaign, "at", "campaign.", 0.3, 0.0, 0.9)),
    )


def _slo(raw: dict) -> Slo:
    _unknown(raw, ("error_rate", "counting_lag_s", "latency"), "slo.")
    latency_raw = raw.get("latency", {})
    if not isinstance(latency_raw, dict):
        raise ProfileError(f"slo.latency: must be a table, not {latency_raw!r}")
    latency = {}
    for group, limits in latency_raw.items():
        where = f"slo.latency.{group}."
        if group not in GROUPS:
            raise ProfileError(
                f"slo.latency.{group}: unknown group; use one of {', '.join(GROUPS)}"
            )
        if not isinstance(limits, dict):
            raise ProfileError(f"slo.latency.{group}: must be a table, not {limits!r}")
        keys = [f"{p}_ms" for p in PERCENTILES]
        _unknown(limits, keys, where)
        latency[group] = {k[:-3]: float(_num(limits, k, where, lo=0.0)) for k in limits}
    return Slo(
        error_rate=float(_num(raw, "error_rate", "slo.", 0.001, 0.0, 1.0)),
        counting_lag_s=float(_num(raw, "counting_lag_s", "slo.", 30.0, 0.0)),
        latency=latency,
    )


def _ramp(raw: dict) -> Ramp:
    _unknown(raw, ("start", "factor", "step_s", "max_steps"), "ramp.")
    return Ramp(
        start=float(_num(raw, "start", "ramp.", 0.5, 0.001, 1000.0)),
        factor=float(_num(raw, "factor", "ramp.", 1.5, 1.01, 100.0)),
        step_s=float(_num(raw, "step_s", "ramp.", 10.0, 1.0, 3600.0)),
        max_steps=_num(raw, "max_steps", "ramp.", 8, 1, 100, integer=True),
    )

"""When a fit goes wrong: figures checked before they are written, failures worded so a person
knows what to do, and fits whose process died (killed, restarted, out of memory) told apart
from fits still running: by the process's id on its own host, by a heartbeat elsewhere."""

from __future__ import annotations

import logging
import os
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

import numpy as np

log = logging.getLogger("tally.predictions")

HEARTBEAT_SECONDS = 10.0  # a running fit touches updated_at this often
STALE_FIT = timedelta(minutes=2)  # silent this long: its process is gone (another host)
RETRY = "Press Refresh in Settings › Predictions to fit again"


class FitFailed(Exception):
    """A fit that must not write its figures; the message says why and what to do."""


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: it exists
        return True
    return True


def is_dead(worker: str | None, updated_at: datetime | None, now: datetime) -> bool:
    """A started fit whose process is gone: on this host, that pid no longer runs; on any
    host, no heartbeat for STALE_FIT."""
    if updated_at is not None and updated_at < now - STALE_FIT:
        return True
    host, _, pid = (worker or "").rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        return not _alive(int(pid))
    return False


@contextmanager
def heartbeat(beat: Callable[[], None], every: float = HEARTBEAT_SECONDS) -> Iterator[None]:
    """Call `beat` every `every` seconds in a thread while the block runs (a step of a large
    fit can take a minute: without it, a long step would look like a dead process)."""
    stop = threading.Event()

    def run() -> None:
        while not stop.wait(every):
            try:
                beat()
            except Exception:  # a busy store: the next beat tries again
                log.warning("predictions heartbeat failed", exc_info=True)

    thread = threading.Thread(target=run, name="predictions-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(5)


def check_spend(spend: np.ndarray, profile_ids: np.ndarray) -> None:
    """Revenue so large that a customer's orders do not add up (1e308) would turn every
    figure of the spend model into nonsense."""
    bad = ~np.isfinite(spend) | (np.abs(spend) > 1e15)
    if bad.any():
        ids = ", ".join(f"#{int(p)}" for p in profile_ids[bad][:5])
        raise FitFailed(
            f"{int(bad.sum()):,} customers' order revenue is too large to add up (profiles "
            f"{ids}): check the revenue sent with their Placed Order events (a price in "
            f"cents sent as a float, or a placeholder such as 1e308), delete or correct those "
            f"events, then {RETRY.lower()}"
        )


def check_figures(params: dict, arrays: dict[str, np.ndarray]) -> None:
    """Every parameter and per-customer figure must be a finite number before it is written."""
    bad_params = [k for k, v in params.items() if not (np.isfinite(v) and v > 0)]
    bad_arrays = [k for k, a in arrays.items() if not np.all(np.isfinite(a))]
    if bad_params or bad_arrays:
        raise FitFailed(
            "the model found no usable solution ("
            + ", ".join(
                [f"parameter {k} not a positive number" for k in bad_params]
                + [f"{k} not finite" for k in bad_arrays]
            )
            + "): the order history is probably dominated by odd data, such as many orders "
            "from one test profile or revenue far from the rest. Check recent Placed Order "
            f"events, then {RETRY.lower()}"
        )


def failed_message(step: str, exc: BaseException, previous: datetime | None) -> str:
    """What Settings shows for a fit that raised."""
    what = str(exc) if isinstance(exc, FitFailed) else f"{type(exc).__name__}: {exc}"
    kept = (
        f"The predictions fitted {previous:%d %b %Y %H:%M} UTC stay in place."
        if previous
        else "No predictions are shown until a fit succeeds."
    )
    tail = "" if isinstance(exc, FitFailed) else f" {RETRY}; if it fails the same way, the jobs "
    tail += "" if isinstance(exc, FitFailed) else "process's log has the details."
    return f"The fit failed while {step or 'starting'}: {what}. {kept}{tail}"


def died_message(step: str, since: datetime | None, previous: datetime | None) -> str:
    """What Settings shows for a fit whose process ended in the middle."""
    kept = (
        f"The predictions fitted {previous:%d %b %Y %H:%M} UTC stay in place."
        if previous
        else "No predictions are shown until a fit succeeds."
    )
    at = f" (started {since:%d %b %Y %H:%M} UTC)" if since else ""
    return (
        f"The fit stopped while {step or 'starting'}{at}: the background jobs process ended "
        f"before it finished (restarted, stopped, or out of memory). {kept} {RETRY}; if it "
        "stops again at the same step, give the jobs process more memory."
    )

"""More cores for one batch: compose (rendering, tracking tokens) is CPU work the GIL
serialises, so a batch is split across forked child processes, each with its own SMTP
connections, writing the same journal. A child dies with its parent (PR_SET_PDEATHSIG), so a
kill -9 of the sender stops them all before a restart reads the journal."""

from __future__ import annotations

import ctypes
import os
import pickle
import signal
from types import SimpleNamespace

PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the parent's pipe closing still stops it
        pass


def _plain(out) -> dict:
    """An Outcome as picklable ids and texts (outgoing -> its key and subject only)."""
    return {
        "sent": [(i.id, r, (o.message_key, o.subject)) for i, r, o in out.sent],
        "failed": [(i.id, r) for i, r, _ in out.failed],
        "unknown": [(i.id, r) for i, r in out.unknown],
        "suppressed": [(i.id, r) for i, r in out.suppressed],
        "unsent": [i.id for i in out.unsent],
        "down": out.down,
    }


def merge(out, plain: dict, by_id: dict) -> None:
    for rid, reply, (key, subject) in plain["sent"]:
        out.sent.append((by_id[rid], reply, SimpleNamespace(message_key=key, subject=subject)))
    out.failed += [(by_id[rid], r, None) for rid, r in plain["failed"]]
    out.unknown += [(by_id[rid], r) for rid, r in plain["unknown"]]
    out.suppressed += [(by_id[rid], r) for rid, r in plain["suppressed"]]
    out.unsent += [by_id[rid] for rid in plain["unsent"]]
    out.down = out.down or plain["down"]


def fork_slice(run) -> tuple[int, int]:
    """Run `run()` (-> Outcome) in a child; returns (pid, read end of its result pipe)."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: no logging, no database, just compose and SMTP
        code = 0
        try:
            os.close(r)
            _die_with_parent()
            data = pickle.dumps(_plain(run()))
            with os.fdopen(w, "wb") as f:
                f.write(data)
        except BaseException:
            code = 1
        finally:
            os._exit(code)
    os.close(w)
    return pid, r


def collect(pid: int, r: int) -> dict | None:
    """The child's results, or None when it died before giving them."""
    with os.fdopen(r, "rb") as f:
        data = f.read()
    os.waitpid(pid, 0)
    return pickle.loads(data) if data else None

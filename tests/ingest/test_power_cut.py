"""A power cut loses what the kernel had not written to disk. The aggregator acts on its own
commits (it deletes a folded spool segment, applies the counts, then drops the ledger row),
so each commit must be synced before the next step rests on it: else a power cut could undo
the relational commit after its segment was deleted (acknowledged events lost) or after its
counts were applied (counted twice when the records are folded again).

The test watches the real system calls of a pass with strace and checks the write order
a power cut cannot break: a store's writes are synced before the other store is written, and
before a spool segment is unlinked."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import IN_CI, TEST_SECRET

ROOT = Path(__file__).resolve().parents[2]

SCRIPT = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from app import create_app
    from backend.accounts.service import create_account
    from backend.config import Settings
    from backend.ingest.service import ingestor

    var, phase = sys.argv[1], sys.argv[2]
    env = {"TALLY_VAR_DIR": var, "TALLY_SECRET_KEY": sys.argv[3],
           "TALLY_DATABASE_URL": f"sqlite:///{Path(var) / 'tally.sqlite3'}"}
    runtime = create_app(Settings.from_env(env, env_file=None), ui=False).extensions["tally"]
    ing = ingestor(runtime)
    if phase == "accept":
        with runtime.db.session() as s:
            account = create_account(s, "Shop").id
        for start in (0, 40):
            ing.accept(account, [
                {"type": "track", "userId": f"u{i % 9}", "event": "Placed Order",
                 "messageId": f"m{i}", "properties": {"revenue": 2, "utm_campaign": "bf"},
                 "context": {"ip": "81.2.69.160"}}
                for i in range(start, start + 40)
            ])
    else:
        print(ing.drain())
    ing.close()
    """
)

_FD_CALL = re.compile(r"^\d+\s+(?:<\.\.\. )?(\w+)\((\d+)<([^>]+)>")
_UNLINK = re.compile(r'^\d+\s+unlink(?:at)?\((?:[^,]+, )?"([^"]+)"')


def _store_of(path: str) -> str | None:
    name = Path(path).name
    for store in ("tally.sqlite3", "counters.sqlite3", "counted.sqlite3"):
        if name in (store, f"{store}-wal", f"{store}-journal"):
            return store
    return None


def order_violations(trace: str) -> tuple[list[str], int, int]:
    """(violations, segments unlinked, syncs seen) of an `strace -f -y` log."""
    dirty: dict[str, set[str]] = {}  # store -> its files written since their last sync
    problems: list[str] = []
    unlinked = synced = 0
    for line in trace.splitlines():
        if "resumed>" in line and "<... " in line:
            continue  # the call was read from its "unfinished" half
        m = _FD_CALL.match(line)
        if m:
            call, _fd, path = m.groups()
            store = _store_of(path)
            if store is None:
                continue
            if call in ("write", "pwrite64", "pwritev", "writev"):
                others = [s for s, files in dirty.items() if s != store and files]
                if others:
                    problems.append(f"{store} written while {others} had unsynced writes: {line}")
                dirty.setdefault(store, set()).add(path)
            elif call in ("fsync", "fdatasync"):
                dirty.get(store, set()).discard(path)
                synced += 1
            continue
        m = _UNLINK.match(line)
        if m and m.group(1).endswith(".seg"):
            unlinked += 1
            pending = {s: sorted(f) for s, f in dirty.items() if f}
            if pending:
                problems.append(f"segment unlinked with unsynced writes {pending}: {line}")
    return problems, unlinked, synced


def test_a_pass_syncs_each_commit_before_acting_on_it(tmp_path):
    strace = shutil.which("strace")
    if strace is None:
        if IN_CI:
            pytest.fail("strace is missing: scripts/install-system.sh installs it")
        pytest.skip("strace is not installed (scripts/install-system.sh installs it)")
    var = tmp_path / "var"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    run = [sys.executable, "-c", SCRIPT, str(var)]
    subprocess.run([*run, "accept", TEST_SECRET], check=True, env=env, cwd=ROOT, timeout=120)
    log = tmp_path / "strace.log"
    done = subprocess.run(
        [
            strace,
            "-f",
            "-y",
            "-qq",
            "-o",
            str(log),
            "-e",
            "trace=write,pwrite64,pwritev,writev,fsync,fdatasync,unlink,unlinkat",
            *run,
            "drain",
            TEST_SECRET,
        ],
        env=env,
        cwd=ROOT,
        timeout=120,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "80"  # every message folded
    problems, unlinked, synced = order_violations(log.read_text())
    assert unlinked == 1 and synced > 0  # the trace saw the pass (not an empty log)
    assert problems == []


def test_the_checker_flags_a_commit_left_unsynced():
    """order_violations itself, on what NORMAL sync produced (writes, no fdatasync)."""
    trace = "\n".join(
        [
            '7 pwrite64(4</v/tally.sqlite3-wal>, "..", 4096, 0) = 4096',
            '7 pwrite64(7</v/counters.sqlite3-wal>, "..", 4096, 0) = 4096',
            "7 fdatasync(7</v/counters.sqlite3-wal>) = 0",
            '7 unlink("/v/spool/1-2-000001.seg") = 0',
        ]
    )
    problems, unlinked, synced = order_violations(trace)
    assert unlinked == 1 and synced == 1
    assert len(problems) == 2
    assert "counters.sqlite3 written while ['tally.sqlite3']" in problems[0]
    assert "segment unlinked" in problems[1] and "tally.sqlite3-wal" in problems[1]

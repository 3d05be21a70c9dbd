"""A member's lower priority holds across sessions: with autogroup scheduling, nice alone
ranks only the processes of one session (backend/queue/run.py: yield_cpu)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AUTOGROUP = Path("/proc/self/autogroup")  # absent where the kernel has no autogroup
PROBE = (
    "import os; from backend.queue.run import yield_cpu; yield_cpu(19); "
    "print(os.nice(0)); "
    "print(open('/proc/self/autogroup').read() if os.path.exists('/proc/self/autogroup') else '')"
)


def probe(new_session: bool) -> tuple[int, str]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        start_new_session=new_session,
    ).stdout.splitlines()
    return int(out[0]), "".join(out[1:])


def test_a_member_alone_in_its_session_lowers_the_session():
    nice, group = probe(new_session=True)
    assert nice == 19
    if AUTOGROUP.exists():
        assert group.strip().endswith("nice 19"), group


def test_a_member_in_a_shared_session_leaves_the_session_alone():
    before = AUTOGROUP.read_text() if AUTOGROUP.exists() else ""
    nice, group = probe(new_session=False)
    assert nice == 19
    assert group == before.strip()

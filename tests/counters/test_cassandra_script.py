"""scripts/cassandra.sh's start-up watch, on a JVM that does not become a node.

A start once failed in CI at once, with empty logs: the script judged the node dead by its
command line before the forked shell had exec'd the JVM. These start `java -version` behind a
wrapper that waits first, on their own address, so no real node is touched."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
JAVA = "/usr/lib/jvm/java-17-openjdk-amd64/bin/java"


def start_with(tmp_path: Path, wrapper: str) -> subprocess.CompletedProcess:
    java = tmp_path / "java"
    java.write_text(f"#!/bin/sh\n{wrapper}\n")
    java.chmod(0o755)
    env = {
        **os.environ,
        "TALLY_TEST_CASSANDRA_ADDR": "127.0.0.41",
        "TALLY_CASSANDRA_JAVA": str(java),
        "TALLY_CASSANDRA_START_TIMEOUT": "5",
    }
    return subprocess.run(
        [f"{ROOT}/scripts/cassandra.sh", "start"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_jvm_slow_to_exec_is_waited_for_and_its_exit_reported(cassandra_hosts, tmp_path):
    # Depends on cassandra_hosts for the jars (and to skip, or fail in CI, like the others).
    done = start_with(tmp_path, f"sleep 2; exec {JAVA} -version")
    assert done.returncode == 1
    assert "node 1 exited (status 0) before it started" in done.stderr, done.stderr
    assert "openjdk version" in done.stderr  # its output, from stdout.log


def test_a_node_that_never_starts_is_reported_as_timed_out_and_stopped(cassandra_hosts, tmp_path):
    done = start_with(tmp_path, f"echo $$ >{tmp_path}/pid; exec sleep 600")
    assert done.returncode == 1
    assert "node 1 is running but did not start within 5s" in done.stderr, done.stderr
    pid = int((tmp_path / "pid").read_text())
    assert not Path(f"/proc/{pid}").exists()  # stopped, not left behind

"""The spool: durable records, torn tails ignored, dead writers' segments sealed."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest

from backend.ingest.spool import SpoolWriter, read_records, segments, writer_alive


def test_append_and_read_back(tmp_path):
    w = SpoolWriter(tmp_path)
    for i in range(100):
        w.append(f"record {i}".encode())
    [seg] = segments(tmp_path)
    got = [p for p, _ in read_records(seg, 0, 1 << 20)]
    assert got == [f"record {i}".encode() for i in range(100)]
    assert writer_alive(seg)
    w.close()
    assert not writer_alive(seg)


def test_reading_resumes_from_an_offset(tmp_path):
    w = SpoolWriter(tmp_path)
    for i in range(10):
        w.append(bytes([i]) * 10)
    [seg] = segments(tmp_path)
    records = list(read_records(seg, 0, 1 << 20))
    _, mid = records[4]
    assert [p for p, _ in read_records(seg, mid, 1 << 20)] == [
        bytes([i]) * 10 for i in range(5, 10)
    ]
    # a small read window still yields whole records only
    assert [p for p, _ in read_records(seg, 0, 40)] == [bytes([0]) * 10, bytes([1]) * 10]
    w.close()


def test_torn_and_corrupt_tails_are_not_read(tmp_path):
    w = SpoolWriter(tmp_path)
    w.append(b"good")
    w.close()
    [seg] = segments(tmp_path)
    with open(seg, "ab") as f:
        f.write(b"\x10\x00\x00\x00\x00\x00")  # a header cut short by a crash
    assert [p for p, _ in read_records(seg, 0, 1 << 20)] == [b"good"]
    with open(seg, "r+b") as f:
        f.seek(9)
        f.write(b"X")  # flip a payload byte: the CRC catches it
    assert list(read_records(seg, 0, 1 << 20)) == []


def test_segments_rotate_and_seal(tmp_path):
    w = SpoolWriter(tmp_path, segment_bytes=100)
    for _ in range(10):
        w.append(b"x" * 40)
    segs = segments(tmp_path)
    assert len(segs) == 5
    assert [writer_alive(s) for s in segs] == [False] * 4 + [True]
    assert sum(len(list(read_records(s, 0, 1 << 20))) for s in segs) == 10
    w.close()


def test_concurrent_appends_are_all_durable(tmp_path):
    w = SpoolWriter(tmp_path)

    def work(t):
        for i in range(200):
            w.append(f"{t}-{i}".encode())

    threads = [threading.Thread(target=work, args=(t,)) for t in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    [seg] = segments(tmp_path)
    assert len({p for p, _ in read_records(seg, 0, 1 << 24)}) == 1600
    w.close()


def test_a_killed_writer_releases_its_segment(tmp_path):
    code = (
        "import sys, os; from backend.ingest.spool import SpoolWriter;"
        f"w = SpoolWriter({str(tmp_path)!r}); w.append(b'acked'); print('ok', flush=True);"
        "sys.stdin.read()"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout.readline().strip() == "ok"
    [seg] = segments(tmp_path)
    assert writer_alive(seg)
    os.kill(proc.pid, 9)
    proc.wait()
    assert not writer_alive(seg)
    assert [p for p, _ in read_records(seg, 0, 1 << 20)] == [b"acked"]


@pytest.mark.parametrize("how", ["short", "error"])
def test_a_failed_write_is_cut_away_and_never_hides_later_records(tmp_path, failing_disk, how):
    w = SpoolWriter(tmp_path)
    w.append(b"first")
    failing_disk(how)
    with pytest.raises(OSError):
        w.append(b"lost" * 100)
    w.append(b"after")
    [seg] = segments(tmp_path)
    # Left torn, the half record would stop every reader before "after" (acknowledged).
    assert [p for p, _ in read_records(seg, 0, 1 << 20)] == [b"first", b"after"]
    w.close()


def test_when_the_torn_tail_cannot_be_cut_nothing_more_is_appended(
    tmp_path, monkeypatch, failing_disk
):
    import errno

    from backend.ingest import spool

    w = SpoolWriter(tmp_path)
    w.append(b"first")
    failing_disk("short")
    real_truncate = os.ftruncate
    broken = {"on": True}

    def ftruncate(fd, size):
        if broken["on"]:
            raise OSError(errno.EIO, "Input/output error")
        return real_truncate(fd, size)

    monkeypatch.setattr(spool.os, "ftruncate", ftruncate)
    with pytest.raises(OSError):
        w.append(b"lost" * 100)
    with pytest.raises(OSError):
        w.append(b"refused")  # would land after the torn bytes: refused instead
    broken["on"] = False
    w.append(b"after")
    [seg] = segments(tmp_path)
    assert [p for p, _ in read_records(seg, 0, 1 << 20)] == [b"first", b"after"]
    w.close()


def test_records_a_failed_fdatasync_covered_are_never_acknowledged(tmp_path, monkeypatch):
    """After a failed fdatasync the kernel may drop the pages and report success on the next
    call: a record written before the failure must fail even if a later sync succeeds."""
    import errno
    import time

    from backend.ingest import spool

    w = SpoolWriter(tmp_path)
    w.append(b"durable")
    real_sync = os.fdatasync
    b_written = threading.Event()
    calls = {"n": 0}

    def fdatasync(fd):
        calls["n"] += 1
        if calls["n"] == 1:
            b_written.wait(10)  # thread b writes its record while this sync runs...
            raise OSError(errno.EIO, "Input/output error")  # ...and then the sync fails
        return real_sync(fd)

    monkeypatch.setattr(spool.os, "fdatasync", fdatasync)
    outcome = {}

    def send(name):
        try:
            w.append(name.encode())
            outcome[name] = "acknowledged"
        except OSError:
            outcome[name] = "refused"

    a = threading.Thread(target=send, args=("a",))
    a.start()
    while calls["n"] == 0:
        time.sleep(0.001)
    b = threading.Thread(target=send, args=("b",))
    b.start()
    while w._written < 3:  # "b" is written and now waits for a's sync
        time.sleep(0.001)
    b_written.set()
    a.join()
    b.join()
    assert outcome == {"a": "refused", "b": "refused"}
    send("c")  # written after the failure: its own sync succeeds
    assert outcome["c"] == "acknowledged" and calls["n"] == 2
    w.close()

"""The durable write-ahead spool: append-only segment files, group-committed with fdatasync.

Record: 4-byte little-endian length, 4-byte CRC32, payload (orjson). A request is
acknowledged only after the fdatasync that covers its record returned, so an acknowledged
message survives kill -9 and power loss. A write or fdatasync that fails (disk full, I/O
error) raises OSError and the request is not acknowledged; a partly written record is cut
away so it never hides the records after it. Threads of a process share one writer; one
fdatasync covers every record appended before it (group commit).

Each writer process owns its segment files (`<start ns>-<pid>-<n>.seg`) and holds an
exclusive flock on the open one; a reader that can take that lock knows the writer is gone
(or has moved on), so a torn tail there will never be completed and the segment is sealed.
"""

from __future__ import annotations

import errno
import fcntl
import os
import struct
import threading
import time
import zlib
from collections.abc import Iterator
from pathlib import Path

_HEADER = struct.Struct("<II")
SEGMENT_BYTES = 64 * 1024 * 1024


class SpoolWriter:
    def __init__(self, directory: Path, segment_bytes: int = SEGMENT_BYTES, fsync: bool = True):
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.segment_bytes = segment_bytes
        self.fsync = fsync
        self._lock = threading.Lock()  # guards writes and rotation
        self._sync_lock = threading.Lock()  # one fdatasync at a time
        self._prefix = f"{time.time_ns()}-{os.getpid()}"
        self._n = 0
        self._fd = -1
        self._size = 0
        self._written = 0  # records written (sequence number)
        self._synced = 0  # records known durable
        self._torn_at: int | None = None  # a failed write left bytes from here on
        self._unsafe: list[tuple[int, int]] = []  # (after, upto): records a failed sync covered
        self._open_next()

    def _open_next(self) -> None:
        self._n += 1
        path = self.dir / f"{self._prefix}-{self._n:06d}.seg"
        # Lock under a temporary name, then rename: a reader never sees an unlocked new
        # segment (which it would take for a dead writer's, and delete).
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o640)
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.rename(tmp, path)
        if self.fsync:
            dfd = os.open(self.dir, os.O_RDONLY)  # make the new file's name durable too
            os.fsync(dfd)
            os.close(dfd)
        old = self._fd
        self._fd, self._size = fd, 0
        if old >= 0:
            if self.fsync:
                os.fdatasync(old)
            self._synced = self._written
            fcntl.flock(old, fcntl.LOCK_UN)  # sealed: readers may now treat its tail as final
            os.close(old)

    def append(self, payload: bytes) -> None:
        """Append one record and return once it is durable."""
        record = _HEADER.pack(len(payload), zlib.crc32(payload)) + payload
        with self._lock:
            if self._torn_at is not None:
                self._cut_torn_tail()
            if self._size and self._size + len(record) > self.segment_bytes:
                self._open_next()
            self._write_whole(record)
            self._size += len(record)
            self._written += 1
            mine, fd = self._written, self._fd
        if not self.fsync:
            return
        with self._sync_lock:
            if any(after < mine <= upto for after, upto in self._unsafe):
                raise OSError(errno.EIO, "an fdatasync covering this spool record failed")
            if self._synced >= mine:
                return  # another thread's fdatasync already covered us
            with self._lock:
                target, fd = self._written, self._fd
            try:
                os.fdatasync(fd)
            except OSError:
                # The kernel may drop the pages of a failed fdatasync and report success
                # next time: no record written before the failure came back may ever be
                # acknowledged (threads waiting for this lock included).
                with self._lock:
                    upto = self._written
                self._unsafe.append((self._synced, upto))
                raise
            self._synced = max(self._synced, target)

    def _write_whole(self, record: bytes) -> None:
        """Write all of the record or raise OSError (e.g. the disk is full).

        A reader stops at the first torn record, so a torn record followed by later ones
        would hide those acknowledged records for good: a failed write's bytes are cut
        away (now, or before the next append if the cut fails too)."""
        try:
            written = os.write(self._fd, record)
        except OSError:
            self._torn_at = self._size
            self._cut_torn_tail()
            raise
        if written != len(record):  # a short write: typically no space left
            self._torn_at = self._size
            self._cut_torn_tail()
            raise OSError(errno.ENOSPC, f"wrote {written} of {len(record)} bytes to the spool")

    def _cut_torn_tail(self) -> None:
        os.ftruncate(self._fd, self._torn_at)  # raises while it cannot: nothing is appended
        self._size = self._torn_at
        self._torn_at = None

    def close(self) -> None:
        with self._lock:
            if self._fd >= 0:
                if self.fsync:
                    os.fdatasync(self._fd)
                fcntl.flock(self._fd, fcntl.LOCK_UN)
                os.close(self._fd)
                self._fd = -1


def segments(directory: Path) -> list[Path]:
    return sorted(Path(directory).glob("*.seg"))


def fingerprint(directory: Path) -> tuple:
    """The segments and their sizes: changes when anything is appended."""
    out = []
    for seg in segments(directory):
        try:
            out.append((seg.name, seg.stat().st_size))
        except FileNotFoundError:  # folded and deleted meanwhile
            continue
    return tuple(out)


def writer_alive(path: Path) -> bool:
    """True while some live writer still holds the segment open for appending."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(fd)


def read_records(path: Path, offset: int, max_bytes: int) -> Iterator[tuple[bytes, int]]:
    """Yield (payload, offset after it) for whole, intact records from `offset`.

    Stops at the first incomplete or corrupt record: it is a torn write that was never
    acknowledged (or one still being written, which a later pass will read)."""
    with open(path, "rb") as f:
        f.seek(offset)
        data = f.read(max_bytes)
    pos = 0
    while pos + _HEADER.size <= len(data):
        length, crc = _HEADER.unpack_from(data, pos)
        end = pos + _HEADER.size + length
        if end > len(data):
            if pos == 0 and length + _HEADER.size > max_bytes:
                # a single record larger than the read window: read it alone
                yield from _read_big(path, offset, length, crc)
            return
        payload = data[pos + _HEADER.size : end]
        if zlib.crc32(payload) != crc:
            return
        pos = end
        yield payload, offset + pos


def _read_big(path: Path, offset: int, length: int, crc: int) -> Iterator[tuple[bytes, int]]:
    with open(path, "rb") as f:
        f.seek(offset + _HEADER.size)
        payload = f.read(length)
    if len(payload) == length and zlib.crc32(payload) == crc:
        yield payload, offset + _HEADER.size + length

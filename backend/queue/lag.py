"""Consumer lag per group: records on the events topic not yet committed by each group."""

from __future__ import annotations

import threading
import time

from confluent_kafka import Consumer, KafkaException, TopicPartition

from backend.queue import topics

_CACHE_S = 5.0  # /healthz and the console's header ask often; the brokers need not answer each
_cache: dict[tuple, tuple[float, dict]] = {}
_lock = threading.Lock()


def lag(bootstrap: str, n: topics.Names, timeout: float = 3.0) -> dict:
    """{"counting": {"lag": records, "oldest_seconds": s}, "storing": {...}}, or {"error":
    why} when the brokers do not answer. `oldest_seconds`: how long the oldest record the
    group has not committed has waited (as the spool's backlog says it). Cached a few
    seconds."""
    with _lock:
        hit = _cache.get((bootstrap, n))
        if hit is not None and time.monotonic() - hit[0] < _CACHE_S:
            return hit[1]
        try:
            out = _measure(bootstrap, n, timeout)
        except KafkaException as exc:
            out = {"error": f"cannot reach Kafka at {bootstrap}: {exc.args[0]}"}
        _cache[(bootstrap, n)] = (time.monotonic(), out)
        return out


def _measure(bootstrap: str, n: topics.Names, timeout: float) -> dict:
    out = {}
    for name, group in (("counting", n.counting_group), ("storing", n.storing_group)):
        c = Consumer(
            {
                "bootstrap.servers": bootstrap,
                "group.id": group,
                "enable.auto.commit": False,
                "socket.timeout.ms": int(timeout * 1000),
            }
        )
        try:
            md = c.list_topics(n.events, timeout=timeout).topics.get(n.events)
            if md is None or md.error is not None:
                out[name] = {"lag": 0}
                continue
            parts = [TopicPartition(n.events, p) for p in md.partitions]
            committed = _committed(c, parts, timeout)
            total, behind = 0, []
            for tp in committed:
                lo, hi = c.get_watermark_offsets(tp, timeout=timeout)
                at = tp.offset if tp.offset >= 0 else lo
                total += hi - at
                if hi > at:
                    behind.append(TopicPartition(n.events, tp.partition, at))
            out[name] = {"lag": total, "oldest_seconds": _oldest(c, behind, timeout)}
        finally:
            c.close()
    return out


def _committed(c: Consumer, parts: list, timeout: float) -> list:
    """committed(), retried while the group's coordinator moves or loads (a fresh broker)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return c.committed(parts, timeout=timeout)
        except KafkaException as exc:
            if not exc.args[0].retriable() or time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _oldest(c: Consumer, behind: list, timeout: float) -> float:
    """Age of the oldest first-uncommitted record among the lagging partitions."""
    if not behind:
        return 0.0
    c.assign(behind)
    stamps: dict[int, float] = {}
    deadline = time.monotonic() + timeout
    while len(stamps) < len(behind) and time.monotonic() < deadline:
        for m in c.consume(len(behind), 0.2):
            if m.error() is None:
                stamps.setdefault(m.partition(), m.timestamp()[1] / 1000)
    c.unassign()
    return round(max(0.0, time.time() - min(stamps.values())), 1) if stamps else 0.0

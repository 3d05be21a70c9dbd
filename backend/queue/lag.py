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
    """{"counting": {"lag": records}, "storing": {...}} or {"error": why} when the brokers do
    not answer. Cached for a few seconds."""
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
            total = 0
            for tp in committed:
                lo, hi = c.get_watermark_offsets(tp, timeout=timeout)
                total += hi - (tp.offset if tp.offset >= 0 else lo)
            out[name] = {"lag": total}
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

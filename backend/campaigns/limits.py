"""Sending rates: a token bucket for all of a sender's e-mail and one per recipient domain
(mailbox providers throttle senders who burst at them)."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Limits:
    rate: float = 0.0  # e-mails a second in all; 0: as fast as the SMTP server takes them
    per_domain: float = 0.0  # e-mails a second to one recipient domain; 0: no limit
    # Recipients claimed, sent and recorded together. Each batch costs a fork per extra
    # process, fresh connections there, and its claim and record: ~90 us an e-mail at
    # 1,000, ~25 at 5,000 (bench/campaign.py). `batch_for_rate` keeps a slow campaign's batch
    # at about two seconds of sending, so pause and cancel still act within seconds.
    batch: int = 5000
    workers: int = 4  # concurrent SMTP conversations of a process (one connection each)
    processes: int = 1  # processes a batch is split across (compose is CPU work)
    retry_after: float = 60.0  # SMTP down: seconds before the campaign tries again


def batch_for_rate(rate: float, most: int = 5000) -> int:
    return most if rate <= 0 else int(min(most, max(50, rate * 2)))


class Bucket:
    """`rate` tokens a second, up to one second's worth saved up."""

    def __init__(self, rate: float, clock=time.monotonic, sleep=time.sleep):
        self.rate = rate
        self.capacity = max(rate, 1.0)
        self.tokens = self.capacity
        self.clock, self.sleep = clock, sleep
        self.at = clock()
        self.lock = threading.Lock()

    def _refill(self) -> None:
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self.at) * self.rate)
        self.at = now

    def try_take(self) -> bool:
        if self.rate <= 0:
            return True
        with self.lock:
            self._refill()
            if self.tokens >= 1:
                self.tokens -= 1
                return True
            return False

    def take(self) -> None:
        """Wait for a token."""
        if self.rate <= 0:
            return
        while True:
            with self.lock:
                self._refill()
                if self.tokens >= 1:
                    self.tokens -= 1
                    return
                wait = (1 - self.tokens) / self.rate
            self.sleep(wait)


class DomainBuckets:
    def __init__(self, rate: float):
        self.rate = rate
        self.buckets: dict[str, Bucket] = {}
        self.lock = threading.Lock()

    def _bucket(self, domain: str) -> Bucket:
        with self.lock:
            bucket = self.buckets.get(domain)
            if bucket is None:
                bucket = self.buckets[domain] = Bucket(self.rate)
            return bucket

    def try_take(self, domain: str) -> bool:
        return True if self.rate <= 0 else self._bucket(domain).try_take()

    def take(self, domain: str) -> None:
        """Wait for this domain's token (a flow's one e-mail)."""
        if self.rate > 0:
            self._bucket(domain).take()


_shared: dict[tuple, tuple[Bucket, DomainBuckets]] = {}
_shared_lock = threading.Lock()


def shared(limits: Limits) -> tuple[Bucket, DomainBuckets]:
    """The process's buckets for these limits: campaigns and flows in one jobs process take
    from the same ones, so together they keep to TALLY_CAMPAIGN_RATE and the per-domain
    rate. (A forked slice of a campaign batch keeps its share, rate / processes.)"""
    key = (limits.rate, limits.per_domain, max(1, limits.processes))
    with _shared_lock:
        pair = _shared.get(key)
        if pair is None:
            pair = _shared[key] = (
                Bucket(limits.rate / max(1, limits.processes)),
                DomainBuckets(limits.per_domain),
            )
        return pair

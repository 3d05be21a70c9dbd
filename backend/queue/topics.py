"""Kafka mode's topics and groups, created on first use with the settings exactly-once needs."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient, NewTopic

log = logging.getLogger("tally.queue")

DEDUP_HORIZON_S = 7 * 24 * 3600  # retries are caught for at least this long
_DAY_MS = 24 * 3600 * 1000


@dataclass(frozen=True)
class Names:
    """Topic and group names under a prefix (TALLY_KAFKA_PREFIX, default "tally")."""

    prefix: str = "tally"

    @property
    def events(self) -> str:  # accepted messages, keyed by (account, messageId)
        return f"{self.prefix}.events"

    @property
    def counting_state(self) -> str:
        # The counting group's per-partition state (dedup ids, flushes): partition p of it
        # belongs to partition p of `events` and moves with it.
        return f"{self.prefix}.counting.state"

    @property
    def dead_letters(self) -> str:  # records a consumer could not read, kept for an operator
        return f"{self.prefix}.events.dead"

    @property
    def topics(self) -> tuple[str, ...]:  # every topic ensure() makes under the prefix
        return (self.events, self.counting_state, self.dead_letters)

    @property
    def counting_group(self) -> str:
        return f"{self.prefix}-counting"

    @property
    def storing_group(self) -> str:
        return f"{self.prefix}-storing"


def names(settings) -> Names:
    return Names(settings.kafka_prefix)


def key_of(account_id: str, message_id: str) -> bytes:
    """The record key: a message and every retry of it hash to one partition."""
    return f"{account_id}\x00{message_id}".encode()


def ensure(bootstrap: str, n: Names, partitions: int = 12, timeout: float = 30.0) -> None:
    """Create the topics if missing. Replication follows the cluster's default (3 in
    production, with min.insync.replicas=2: docs/kafka.md)."""
    admin = AdminClient({"bootstrap.servers": bootstrap})
    have = admin.list_topics(timeout=timeout).topics
    state_cfg = {
        # Dedup ids must outlive the horizon; a day more lets a partition sit unowned a day.
        "retention.ms": str(DEDUP_HORIZON_S * 1000 + _DAY_MS),
        "cleanup.policy": "delete",
    }
    wanted = [
        NewTopic(n.events, partitions, config={"retention.ms": str(7 * _DAY_MS)}),
        NewTopic(n.counting_state, partitions, config=state_cfg),
        NewTopic(n.dead_letters, 1, config={"retention.ms": str(30 * _DAY_MS)}),
    ]
    missing = [t for t in wanted if t.topic not in have]
    if not missing:
        return
    for _topic, fut in admin.create_topics(missing, operation_timeout=timeout).items():
        try:
            fut.result()
        except KafkaException as exc:
            if "TOPIC_ALREADY_EXISTS" not in str(exc):
                raise
    # Metadata reaches every broker a moment after creation.
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = admin.list_topics(timeout=timeout).topics
        if all(t.topic in found and found[t.topic].partitions for t in missing):
            return
        time.sleep(0.2)

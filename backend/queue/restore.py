"""Rebuilding counting partitions' states from the state topic, when a member is assigned
them (counting.py): every committed state record of each partition, oldest first."""

from __future__ import annotations

import logging
import time

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError, KafkaException, TopicPartition

from backend.queue import topics
from backend.queue.state import PartitionState

log = logging.getLogger("tally.queue.counting")


def restore(
    bootstrap: str, t: topics.Names, member: str, partitions: list[int]
) -> dict[int, PartitionState]:
    """The partitions' states, read back from the state topic (committed records only)."""
    states = {p: PartitionState() for p in partitions}
    if not partitions:
        return states
    reader = Consumer(
        {
            "bootstrap.servers": bootstrap,
            "group.id": f"{t.counting_group}-restore-{member}",
            "isolation.level": "read_committed",
            "enable.auto.commit": False,
            "enable.partition.eof": True,
        }
    )
    now, n, left = time.time(), 0, set(partitions)
    try:
        reader.assign([TopicPartition(t.counting_state, p, OFFSET_BEGINNING) for p in partitions])
        while left:
            ends: dict[int, int] = {}
            for m in reader.consume(10_000, 0.2):
                if m.error() is not None:
                    if m.error().code() != KafkaError._PARTITION_EOF:
                        raise KafkaException(m.error())
                    if m.partition() in left:
                        ends[m.partition()] = m.offset()
                    continue
                states[m.partition()].replay(m.value(), m.timestamp()[1] / 1000, now)
                n += 1
            for p, at in ends.items():
                # read_committed stops at the last stable offset: a transaction left open
                # by a killed member hides everything after it (committed records too)
                # until the coordinator aborts it (transaction.timeout.ms). The state is
                # whole only at the high watermark; until then, look again.
                tp = TopicPartition(t.counting_state, p)
                _lo, hi = reader.get_watermark_offsets(tp, timeout=10, cached=False)
                if at >= hi:
                    left.discard(p)
                else:
                    time.sleep(0.2)
                    reader.seek(TopicPartition(t.counting_state, p, at))
    finally:
        reader.close()
    ids = sum(len(st) for st in states.values())
    log.info("partitions %s: state of %d records, %d ids", partitions, n, ids)
    return states

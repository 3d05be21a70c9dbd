"""Kafka mode (TALLY_QUEUE=kafka): ingestion through Kafka instead of the local spool.

- producer.py: the request workers pack a request's messages into one record per partition
  (the partition of (account, messageId)), and answer 200 only once the brokers
  acknowledged all of them; records.py: that record format (and the one before it);
- counting.py: the counting consumer group; dedups per partition and writes counter deltas
  to the counter store exactly once (Kafka transactions + idempotent flush ids);
- storing.py: the storing consumer group; raw events and profiles into the relational store;
- state.py: a partition's dedup state, kept in a changelog topic so it moves with the
  partition (restore.py reads it back); topics.py: the topics and their settings; lag.py: consumer lag per group.
Design and figures: docs/kafka.md.
"""

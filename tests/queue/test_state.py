"""A counting partition's state: the dedup horizon (7 days, by arrival), what a state record
round-trips, and the flushes a restore must replay."""

from __future__ import annotations

from backend.queue.state import PartitionState, key_hash
from backend.queue.topics import DEDUP_HORIZON_S, key_of
from backend.store.dedup import dedup_key

DAY = 24 * 3600.0
NOW = 1_800_000_000.0


def test_the_dedup_key_is_the_events_table_key():
    assert key_hash(key_of("acc_1", "m-1")) == dedup_key("acc_1", "m-1")


def test_ids_are_kept_for_seven_days_then_forgotten():
    assert DEDUP_HORIZON_S >= 7 * DAY
    st = PartitionState()
    st.add([1, 2], NOW - 7 * DAY - 60)  # just past the horizon
    st.add([3], NOW - 7 * DAY + 60)  # just inside it
    st.add([4], NOW)
    st.expire(NOW)
    assert st.seen == {3, 4}


def test_a_restore_rebuilds_ids_and_unapplied_flushes():
    deltas = [["acc", "Placed Order", "", "", 1_700_000_000, 2, 5.0]]
    records = [
        (PartitionState.encode("f1", deltas, [], [10, 11]), NOW - 8 * DAY),  # old: ids gone
        (PartitionState.encode("f2", deltas, [], [12]), NOW - DAY),
        (PartitionState.encode(None, None, ["f1"], [13]), NOW - 60),  # f1 was applied
    ]
    st = PartitionState()
    for value, at in records:
        st.replay(value, at, NOW)
    assert st.seen == {12, 13}
    assert st.pending == {"f2": deltas}  # f1 applied; f2 committed, maybe never applied

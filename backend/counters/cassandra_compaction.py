"""Compaction of a counter partition: fold the cells of finished flushes into base cells.

Without it every flush adds cells and reads slow down with the number of flushes. A chunk of
the fold is one conditional single-partition batch, which Cassandra applies atomically and in
isolation: readers see either the flush cells or the base cell that replaced them, never both.
The condition on the partition's `version` makes concurrent compactors take turns: a stale
one finds the version moved and stops, so no base cell is ever overwritten with a stale sum.

Only flushes the ledger marks complete are folded: an incomplete flush may still be retried
and write cells the fold would not have counted. A retry of a complete flush that races the
fold rewrites its cells with the flush's original write timestamp, which the fold's delete
(a later Paxos timestamp) shadows: folded cells never come back.
"""

from __future__ import annotations

import math
from collections import defaultdict
from datetime import date, datetime

from cassandra.cluster import Session
from cassandra.query import BatchStatement, BatchType

from backend.counters.cassandra_schema import BASE, DAY_ROW, Statements

_LEDGER_CHUNK = 100
_GROUPS_PER_BATCH = 20  # keeps a batch well under batch_size_fail_threshold (50 KiB)
_DAY_CELLS_PER_BATCH = 40

Cell = tuple[datetime, str]  # (hour, value)


def compact_partition(
    session: Session, st: Statements, account_id: str, metric: str, dimension: str, day: date
) -> int:
    """Fold what can be folded in one partition; returns how many flush cells were folded."""
    pk = (account_id, metric, dimension, day)
    rows = list(session.execute(st.select_partition, pk))
    version = rows[0].version if rows else None
    base: dict[Cell, tuple[int, float]] = {}
    pending: dict[Cell, list] = defaultdict(list)
    for r in rows:
        if r.hour is None:  # only the static column is set
            continue
        if r.flush_id == BASE:
            base[(r.hour, r.value)] = (r.count, r.revenue)
        else:
            pending[(r.hour, r.value)].append(r)
    complete = _complete_flushes(session, st, {r.flush_id for rs in pending.values() for r in rs})
    groups = {cell: [r for r in rs if r.flush_id in complete] for cell, rs in pending.items()}
    groups = {cell: rs for cell, rs in groups.items() if rs}
    folded = 0
    cells = sorted(groups)
    for i in range(0, len(cells), _GROUPS_PER_BATCH):
        batch = BatchStatement(batch_type=BatchType.UNLOGGED)
        new_version = (version or 0) + 1
        batch.add(st.bump, (new_version, *pk, version))
        for cell in cells[i : i + _GROUPS_PER_BATCH]:
            rs = groups[cell]
            count, revenue = base.get(cell, (0, 0.0))
            count += sum(r.count for r in rs)
            revenue = math.fsum([revenue, *(r.revenue for r in rs)])
            batch.add(st.put_base, (*pk, cell[0], cell[1], count, revenue))
            for r in rs:
                batch.add(st.delete_cell, (*pk, cell[0], cell[1], r.flush_id))
                folded += 1
        if not session.execute(batch).was_applied:
            break  # another compactor moved the version: leave the rest to it
        version = new_version
    return folded


def _complete_flushes(session: Session, st: Statements, flush_ids: set[str]) -> set[str]:
    ids = sorted(flush_ids)
    done: set[str] = set()
    for i in range(0, len(ids), _LEDGER_CHUNK):
        rows = session.execute(st.ledger, (ids[i : i + _LEDGER_CHUNK],))
        done.update(r.flush_id for r in rows if r.complete)
    return done


def roll_up_partition(
    session: Session, st: Statements, account_id: str, metric: str, dimension: str, day: date
) -> bool:
    """Write the day base cells of a partition that has cells from before day cells existed,
    then mark its day `rolled`; False if a compactor got in the way (try again later).

    Every flush since writes its own day cells, so the day base cell of a value must hold what
    its hour cells hold without one: the hour base cells, plus the cells of flushes that have
    no day cells here and are not incomplete (an incomplete one will be retried, and the retry
    writes day cells). The base cells are written at the partition's version, like a fold, so
    a concurrent fold makes this attempt stop rather than write a stale sum; writing them
    again computes the same sums, so an attempt cut short is simply repeated."""
    pk = (account_id, metric, dimension, day)
    rows = list(session.execute(st.select_partition, pk))
    version = rows[0].version if rows else None
    covered = {r.flush_id for r in rows if r.hour == DAY_ROW}
    counts: dict[str, int] = defaultdict(int)
    revenues: dict[str, list[float]] = defaultdict(list)
    uncovered: dict[str, list] = defaultdict(list)
    for r in rows:
        if r.hour is None or r.hour == DAY_ROW:
            continue
        if r.flush_id == BASE:
            counts[r.value] += r.count
            revenues[r.value].append(r.revenue)
        elif r.flush_id not in covered:
            uncovered[r.flush_id].append(r)
    if uncovered:
        states = _flush_states(session, st, set(uncovered))
        # A flush that completed after the read above wrote its day cells before completing:
        # this read sees them.
        covered |= {r.flush_id for r in session.execute(st.select_day, (*pk, DAY_ROW))}
        for flush_id, rs in uncovered.items():
            if states.get(flush_id) is False or flush_id in covered:
                continue
            for r in rs:
                counts[r.value] += r.count
                revenues[r.value].append(r.revenue)
    values = sorted(counts.keys() | {r.value for r in rows if r.hour == DAY_ROW})
    for i in range(0, len(values), _DAY_CELLS_PER_BATCH):
        batch = BatchStatement(batch_type=BatchType.UNLOGGED)
        new_version = (version or 0) + 1
        batch.add(st.bump, (new_version, *pk, version))
        for value in values[i : i + _DAY_CELLS_PER_BATCH]:
            batch.add(st.put_base, (*pk, DAY_ROW, value, counts[value], math.fsum(revenues[value])))
        if not session.execute(batch).was_applied:
            return False
        version = new_version
    session.execute(st.set_rolled, pk)
    return True


def _flush_states(session: Session, st: Statements, flush_ids: set[str]) -> dict[str, bool]:
    """flush id -> complete?, for the flushes the ledger still knows (rows live 8 days)."""
    ids = sorted(flush_ids)
    states: dict[str, bool] = {}
    for i in range(0, len(ids), _LEDGER_CHUNK):
        for r in session.execute(st.ledger, (ids[i : i + _LEDGER_CHUNK],)):
            states[r.flush_id] = bool(r.complete)
    return states

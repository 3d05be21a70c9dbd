"""The body of `tally consume counting|storing`: one group member until SIGTERM/SIGINT."""

from __future__ import annotations

import logging
import os
import signal

from backend.queue.producer import QueueUnreachable, check_reachable

ROLES = ("counting", "storing")


def consume(settings, role: str) -> None:
    """Run one member of the role's group. QueueUnreachable (exit 2) if no broker answers."""
    from backend.counters import counter_store
    from backend.runtime import Runtime

    if settings.queue != "kafka":
        raise QueueUnreachable(
            "`tally consume` needs TALLY_QUEUE=kafka (and TALLY_KAFKA_BOOTSTRAP)"
        )
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # TALLY_QUEUE_LOG_LEVEL=DEBUG: a line per counting batch (records, cells, timings).
    logging.getLogger("tally.queue").setLevel(
        os.environ.get("TALLY_QUEUE_LOG_LEVEL", "INFO").upper()
    )
    check_reachable(settings)
    # Where members share a machine with request workers (or each other): storing, which
    # may lag by design, takes only the CPU nobody else wants (nice 19); counting (nice 5)
    # yields a little to acknowledging. On a machine of their own this changes nothing.
    yield_cpu(19 if role == "storing" else 5)
    rt = Runtime(settings, migrate=False)
    try:
        if role == "counting":
            from backend.queue.counting import CountingConsumer

            member = CountingConsumer(settings, rt.db, counter_store(rt))
        else:
            from backend.queue.storing import StoringConsumer

            member = StoringConsumer(settings, rt.db, tuple(rt.fold_hooks))
        signal.signal(signal.SIGTERM, lambda *_: member.close())
        signal.signal(signal.SIGINT, lambda *_: member.close())
        logging.getLogger("tally.queue").info("consuming as a %s member", role)
        member.run()
    finally:
        rt.close()


def yield_cpu(nice: int) -> None:
    """Lower this process's priority by `nice`, and its session's where it leads one.

    With autogroup scheduling (on by default in most Linux kernels) the scheduler shares the
    CPU between sessions first, and nice ranks only the processes of one session: a member
    in a session of its own (a systemd unit, a container, the bench) competed at nice 0 with
    a nice of 19. Measured here (bench/kafka_ingest.py, 200k events): storing took 6.7 us of
    CPU an event while counting ran. A member started from a shell shares the shell's
    session, whose priority is left alone."""
    os.nice(nice)
    if os.getsid(0) != os.getpid():
        return
    try:
        with open("/proc/self/autogroup", "w") as f:
            f.write(str(nice))
    except OSError:  # no autogroup in this kernel: nice alone does it
        pass

"""The sender's journal: one append-only file per campaign, written with os.write before and
after each hand-over to SMTP. The database says which recipients a sender claimed
("sending"); the journal says which of those reached SMTP. After a kill -9 the two together
decide each claimed recipient, with no duplicate and no gap:

- a result line (R)               -> that result (sent, or failed with the SMTP reply);
- a hand-over line (H), no result -> unknown: it may have been delivered, never sent again;
- neither                         -> pending again: it never left.

os.write puts the line in the kernel's page cache before SMTP sees a byte, and a killed
process cannot lose that. A power cut can (no fsync per message: it would cost ~1 ms each);
docs/campaigns.md says what that means."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Replay:
    handed: set[int] = field(default_factory=set)
    results: dict[int, tuple[str, str]] = field(default_factory=dict)  # id -> (state, reply)


def _clean(reply: str) -> str:
    return " ".join(str(reply).split())[:500]


class Journal:
    def __init__(self, folder: Path, campaign_id: int):
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / f"campaign-{campaign_id}.journal"
        self._fd: int | None = None

    def _open(self) -> int:
        if self._fd is None:
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        return self._fd

    def handing(self, rid: int) -> None:
        self.write(self.handing_line(rid))

    def result(self, rid: int, state: str, reply: str) -> None:
        self.write(self.result_line(rid, state, reply))

    @staticmethod
    def handing_line(rid: int) -> str:
        return f"H {rid}\n"

    @staticmethod
    def result_line(rid: int, state: str, reply: str) -> str:
        return f"R {rid} {state} {_clean(reply)}\n"

    def write(self, lines: str) -> None:
        """Whole lines in one os.write (the stream writes a result and the next hand-over
        together): a kill cuts at most the last line, which replay ignores."""
        os.write(self._open(), lines.encode())

    def replay(self) -> Replay:
        out = Replay()
        try:
            data = self.path.read_bytes().decode(errors="replace")
        except FileNotFoundError:
            return out
        # The text after the last newline is a line the kill cut short: its write never
        # returned, so nothing after it happened either.
        for line in data.split("\n")[:-1]:
            parts = line.split(" ", 3)
            if len(parts) < 2 or not parts[1].isdigit():
                continue
            rid = int(parts[1])
            if parts[0] == "H":
                out.handed.add(rid)
            elif parts[0] == "R" and len(parts) >= 3 and parts[2] in ("sent", "failed"):
                out.results[rid] = (parts[2], parts[3] if len(parts) > 3 else "")
            elif parts[0] == "R" and len(parts) >= 3 and parts[2] == "pending":
                # Handed to a server that was down: nothing left (a flow step retries).
                out.handed.discard(rid)
                out.results.pop(rid, None)
        return out

    def clear(self) -> None:
        """After the database has recorded every line: start empty."""
        os.truncate(self._open(), 0)

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def remove(self) -> None:
        self.close()
        self.path.unlink(missing_ok=True)

"""CSV imports into a list: the upload is checked (header, row count) and kept under
TALLY_VAR_DIR/imports/, then a worker thread runs its rows in chunks of CHUNK_ROWS: each
chunk resolves its profiles (ingestion's resolver), adds the members, records the rows it
refused, the progress and the chunk's "Subscribed to List" events (the outbox) in ONE
transaction, and spools those events once it commits. An import that stopped (the process
died) resumes after its last chunk: the jobs process picks it up (`resume_stalled`). A
re-run of the same file adds no one."""

from __future__ import annotations

import csv
import io
import logging
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from backend.errors import Invalid, NotFound
from backend.lists import csvfile, events, members, outbox
from backend.lists.service import get_list
from backend.store.db import utcnow
from backend.store.list_models import ListImport, ListImportReject
from backend.store.models import List

log = logging.getLogger("tally.lists")

CHUNK_ROWS = 2000  # rows a transaction: ~0.1 s of work, so progress moves visibly
SHOW_REJECTED = 100  # rejected rows in the JSON answer; the CSV has them all
STALLED_AFTER = timedelta(minutes=2)  # a running import silent this long is resumed


class ImportNotFound(NotFound):
    pass


def _path(runtime, import_id: int) -> Path:
    return runtime.settings.var_dir / "imports" / f"{import_id}.csv"


def create(runtime, account_id: str, list_id: int, data: bytes, filename: str, consent) -> int:
    """Check the file, store it and its import row; returns the import id (not started)."""
    if not isinstance(consent, bool):
        raise Invalid(problems=["consent: must be true or false"])
    text = csvfile.decode(data)
    head = csvfile.header(text)
    total = csvfile.count(text, head)
    if not total:
        raise Invalid(problems=["file: has no rows after the header"])
    with runtime.db.session() as s:
        get_list(s, account_id, list_id)
        imp = ListImport(
            account_id=account_id,
            list_id=list_id,
            filename=(filename or "import.csv")[-200:],
            consent=consent,
            total=total,
        )
        s.add(imp)
        s.flush()
        path = _path(runtime, imp.id)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return imp.id


def start(runtime, import_id: int) -> threading.Thread:
    """Run the import in a worker thread of this process."""
    t = threading.Thread(
        target=run, args=(runtime, import_id), name=f"tally-import-{import_id}", daemon=True
    )
    t.start()
    return t


def _claim(runtime, import_id: int, stalled_before=None) -> ListImport | None:
    """Mark the import running, unless another runner has it (or it is finished)."""
    now = utcnow()
    with runtime.db.session() as s:
        stmt = update(ListImport).where(ListImport.id == import_id)
        if stalled_before is None:
            stmt = stmt.where(ListImport.status == "queued")
        else:
            stmt = stmt.where(
                ListImport.status.in_(("queued", "running")),
                ListImport.updated_at < stalled_before,
            )
        if not s.execute(stmt.values(status="running", updated_at=now)).rowcount:
            return None
        imp = s.get(ListImport, import_id)
        s.expunge(imp)
        return imp


def run(runtime, import_id: int, stalled_before=None) -> None:
    imp = _claim(runtime, import_id, stalled_before)
    if imp is None:
        return
    try:
        _run(runtime, imp)
    except Exception as exc:  # the import says it failed; the process goes on
        log.exception("list import %s failed", import_id)
        with runtime.db.session() as s:
            s.execute(
                update(ListImport)
                .where(ListImport.id == import_id)
                .values(status="failed", error=str(exc)[:500], finished_at=utcnow())
            )


def _run(runtime, imp: ListImport) -> None:
    path = _path(runtime, imp.id)
    text = path.read_text(encoding="utf-8")
    head = csvfile.header(text)
    first_email: dict[str, int] = {}
    chunk: list[tuple[int, str, str | tuple[str, dict]]] = []
    handled = 0
    at = head.columns.index("email")
    for number, cells in csvfile.rows(text, head):
        result = csvfile.check(head, cells)
        if not isinstance(result, str):
            first = first_email.setdefault(result[0], number)
            if first != number:
                result = f"duplicate of row {first}"
        handled += 1
        if handled <= imp.done:
            continue  # done by an earlier run (its duplicates still counted above)
        raw = cells[at].strip() if at < len(cells) else ""
        chunk.append((number, raw, result))
        if len(chunk) >= CHUNK_ROWS:
            if not _apply(runtime, imp, chunk):
                return
            chunk = []
    if chunk and not _apply(runtime, imp, chunk):
        return
    with runtime.db.session() as s:
        s.execute(
            update(ListImport)
            .where(ListImport.id == imp.id)
            .values(status="done", finished_at=utcnow(), updated_at=utcnow())
        )
    path.unlink(missing_ok=True)  # personal data: kept no longer than needed


ATTEMPTS = 5


def _apply(runtime, imp: ListImport, chunk: list) -> bool:
    """One chunk in one transaction, then its events. False when the list is gone. Another
    writer may create one of its profiles or members at the same moment (the storefront, a
    second import): the chunk rolls back and runs again, finding them this time."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return _apply_once(runtime, imp, chunk)
        except IntegrityError:
            if attempt == ATTEMPTS:
                raise
            log.info("list import %s: chunk collided with another writer; again", imp.id)
    return False


def _apply_once(runtime, imp: ListImport, chunk: list) -> bool:
    now = utcnow()
    ok = [(n, r) for n, _, r in chunk if not isinstance(r, str)]
    rejects = [(n, raw, r) for n, raw, r in chunk if isinstance(r, str)]
    with runtime.db.session() as s:
        lst = s.get(List, imp.list_id)
        if lst is None:
            s.execute(
                update(ListImport)
                .where(ListImport.id == imp.id)
                .values(status="failed", error="the list was deleted", finished_at=now)
            )
            return False
        people, refused, created = members.resolve(s, imp.account_id, [r for _, r in ok], now)
        rejects += [(ok[i][0], ok[i][1][0], reason) for i, reason in refused]
        why = f"consented by import into {lst.name}"
        new, existing = members.add(s, lst, people, imp.consent, f"import:{imp.id}", now, why)
        if rejects:
            s.execute(
                ListImportReject.__table__.insert(),
                [
                    {
                        "import_id": imp.id,
                        "row": n,
                        "email": email[:400],
                        "reason": reason[:200],
                    }
                    for n, email, reason in sorted(rejects)
                ],
            )
        s.execute(
            update(ListImport)
            .where(ListImport.id == imp.id)
            .values(
                done=ListImport.done + len(chunk),
                joined=ListImport.joined + len(new),
                existing=ListImport.existing + existing,
                created=ListImport.created + created,
                rejected=ListImport.rejected + len(rejects),
                updated_at=now,
            )
        )
        messages = events.join_messages(s, lst, new, "import", now)
        outbox.put(s, imp.account_id, messages, outbox.spooler(runtime))  # after the commit
    return True


def get(s, account_id: str, list_id: int, import_id: int) -> ListImport:
    get_list(s, account_id, list_id)
    imp = s.get(ListImport, import_id)
    if imp is None or imp.list_id != list_id:
        raise ImportNotFound(f"no import {import_id} of list {list_id} in this account")
    return imp


def _iso(at) -> str | None:
    return at.isoformat() + "Z" if at else None


def to_json(s, imp: ListImport, show: int = SHOW_REJECTED) -> dict:
    rows = s.execute(
        select(ListImportReject.row, ListImportReject.email, ListImportReject.reason)
        .where(ListImportReject.import_id == imp.id)
        .order_by(ListImportReject.row)
        .limit(show)
    ).all()
    return {
        "id": imp.id,
        "list_id": imp.list_id,
        "filename": imp.filename,
        "consent": imp.consent,
        "status": imp.status,
        "total": imp.total,
        "done": imp.done,
        "joined": imp.joined,
        "existing": imp.existing,
        "created": imp.created,
        "rejected": imp.rejected,
        "rejected_rows": [{"row": r, "email": e, "reason": why} for r, e, why in rows],
        "error": imp.error,
        "created_at": _iso(imp.created_at),
        "finished_at": _iso(imp.finished_at),
    }


def latest(s, account_id: str, list_id: int) -> ListImport | None:
    get_list(s, account_id, list_id)
    return s.scalar(
        select(ListImport)
        .where(ListImport.list_id == list_id)
        .order_by(ListImport.id.desc())
        .limit(1)
    )


def rejected_csv(db, account_id: str, list_id: int, import_id: int) -> Iterator[str]:
    """row,email,reason of every refused row, a page at a time."""
    with db.session() as s:
        get(s, account_id, list_id, import_id)
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow(("row", "email", "reason"))
    yield buf.getvalue()
    after = 0
    while True:
        buf.seek(0)
        buf.truncate()
        with db.session() as s:
            rows = s.execute(
                select(ListImportReject.row, ListImportReject.email, ListImportReject.reason)
                .where(ListImportReject.import_id == import_id, ListImportReject.row > after)
                .order_by(ListImportReject.row)
                .limit(5000)
            ).all()
        if not rows:
            return
        for r in rows:
            out.writerow(r)
        after = rows[-1][0]
        yield buf.getvalue()


def resume_stalled(runtime) -> int:
    """Run imports whose runner stopped (a restart): from the jobs process. Returns how many."""
    before = utcnow() - STALLED_AFTER
    with runtime.db.session() as s:
        ids = list(
            s.scalars(
                select(ListImport.id).where(
                    ListImport.status.in_(("queued", "running")),
                    ListImport.updated_at < before,
                )
            )
        )
    for import_id in ids:
        run(runtime, import_id, stalled_before=before)
    return len(ids)


def run_forever(runtime, stop: threading.Event, interval: float = 30.0) -> None:
    """The jobs process's thread: resume stalled imports every `interval` seconds."""
    while not stop.wait(interval):
        try:
            resume_stalled(runtime)
        except Exception:
            log.exception("resuming list imports failed")

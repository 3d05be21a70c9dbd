"""Fold one account's spooled messages into rows: dedup, profiles, events, metrics, deltas."""

from __future__ import annotations

from datetime import datetime, timedelta

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from backend.ingest.dedup import seen_message_ids
from backend.ingest.geo import country_of
from backend.ingest.profiles import ProfileResolver
from backend.store.db import utcnow
from backend.store.models import Account, Event, Metric

MAX_DIMENSION_VALUE = 200
_EPOCH = datetime(1970, 1, 1)  # naive UTC, as the store keeps times


def revenue_of(props: dict) -> float | None:
    for key in ("revenue", "value"):
        v = props.get(key)
        if isinstance(v, bool) or v is None:
            continue
        if isinstance(v, int | float):
            return float(v)
        if isinstance(v, str):
            try:
                return float(v.replace(",", ""))
            except ValueError:
                continue
    return None


def count_into(
    deltas: dict,
    hours: dict,
    account_id: str,
    dims: list[str],
    metric: str,
    ms: int,
    country: str | None,
    props: dict,
    rev: float,
    n: int = 1,
) -> None:
    """Add `n` new messages alike (one, by default) to a pass's counter deltas ({(account, metric, dimension, value,
    hour): [count, revenue]}): the metric's total, its country and each dimension property.
    `hours` caches one bucket datetime per epoch hour across the pass."""
    if metric[:1] == "$":
        return  # internal: kept as events, not counted
    h = ms // 3_600_000
    hour = hours.get(h)
    if hour is None:
        hour = hours[h] = _EPOCH + timedelta(hours=h)
    keys = [(account_id, metric, "", "", hour)]
    if country:
        keys.append((account_id, metric, "country", country, hour))
    for d in dims:
        v = props.get(d)
        if v is not None and v != "" and not isinstance(v, dict | list):
            keys.append((account_id, metric, d, str(v)[:MAX_DIMENSION_VALUE], hour))
    get = deltas.get
    for key in keys:
        slot = get(key)
        if slot is None:
            deltas[key] = [n, rev]
        else:
            slot[0] += n
            slot[1] += rev


def dimensions_of(account: Account) -> list[str]:
    """The event properties an account counts by (besides country)."""
    return [d for d in (account.dimensions or []) if isinstance(d, str)]


def fold_account(
    s: Session, account_id: str, msgs: list[dict], deltas: dict | None, hooks: tuple = ()
) -> int:
    """Add the account's new messages to the session and, unless `deltas` is None (another
    stage counts them: backend/ingest/counting.py), their counts to `deltas`.

    Returns how many messages were new (the rest were duplicates by messageId)."""
    account = s.get(Account, account_id)
    if account is None:  # the account was deleted after the request was acknowledged
        return 0
    dims = dimensions_of(account)
    unique: dict[str, dict] = {}
    for m in msgs:
        unique.setdefault(m["id"], m)
    existing, key_of = seen_message_ids(s, account_id, list(unique))
    fresh = [m for mid, m in unique.items() if mid not in existing]
    if not fresh:
        return 0
    resolver = ProfileResolver(s, account_id, fresh)
    now = utcnow()
    rows, owners = [], []
    stats: dict[str, list] = {}  # metric -> [count, revenue, first, last]
    hours: dict[int, datetime] = {}  # epoch hour -> its bucket (one datetime per hour)
    # The hot loop of the aggregator (bench/ingest.py): locals and plain tuples on purpose.
    for m in fresh:
        ms = m["ts"]
        ts = _EPOCH + timedelta(milliseconds=ms)
        country = country_of(m["ip"])
        owners.append(resolver.resolve(m, ts, country))
        props = m["p"]
        revenue = revenue_of(props) if props else None
        rev = revenue or 0.0
        metric = m["e"]
        rows.append(
            {
                "account_id": account_id,
                "message_id": m["id"],
                "dedup_key": key_of[m["id"]],
                "metric": metric,
                "ts": ts,
                "received_at": now,
                "country": country,
                "revenue": revenue,
                "properties": props,
            }
        )
        st = stats.get(metric)
        if st is None:
            stats[metric] = [1, rev, ts, ts]
        else:
            st[0] += 1
            st[1] += rev
            if ts < st[2]:
                st[2] = ts
            elif ts > st[3]:
                st[3] = ts
        if deltas is not None:
            count_into(deltas, hours, account_id, dims, metric, ms, country, props, rev)
    resolver.finish()
    s.flush()  # new profiles need their ids
    final = resolver.final
    for row, p in zip(rows, owners, strict=True):
        row["profile_id"] = final(p).id
    insert_events(s, rows)
    for hook in hooks:  # e.g. flow enrollment: in this same transaction, so exactly once
        hook(s, account_id, rows, now)
    _update_metrics(s, account_id, stats)
    return len(fresh)


_COLS = (
    "account_id",
    "message_id",
    "dedup_key",
    "profile_id",
    "metric",
    "ts",
    "received_at",
    "country",
    "revenue",
    "properties",
)


_PROFILE, _TS = _COLS.index("profile_id"), _COLS.index("ts")


def _profile_order(p: tuple):
    """(profile_id, ts) of an insert_events parameter row (its values are in _COLS order)."""
    return (p[_PROFILE] or 0, p[_TS])


def insert_events(s: Session, rows: list[dict]) -> None:
    """Bulk insert on the driver's executemany: the hot path of the aggregator, where
    SQLAlchemy's per-row bind processing cost more than the database (bench/ingest.py)."""
    conn = s.connection()
    dbapi = conn.connection.driver_connection
    if conn.dialect.name == "sqlite":
        # SQLAlchemy's SQLite DateTime text format, so ORM reads parse these rows.
        # (isoformat with a space and microseconds is that format, at a third of strftime's
        # cost.)
        received = {r["received_at"] for r in rows}
        stamp = {t: t.isoformat(" ", "microseconds") for t in received}  # one per pass
        sql = f"INSERT INTO events ({', '.join(_COLS)}) VALUES ({', '.join('?' * len(_COLS))})"
        params = [
            (
                r["account_id"],
                r["message_id"],
                r["dedup_key"],
                r["profile_id"],
                r["metric"],
                r["ts"].isoformat(" ", "microseconds"),
                stamp[r["received_at"]],
                r["country"],
                r["revenue"],
                orjson.dumps(r["properties"]).decode(),
            )
            for r in rows
        ]
    elif conn.dialect.name == "postgresql":
        sql = (
            f"INSERT INTO events ({', '.join(_COLS)}) VALUES "
            "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s::json)"
        )
        params = [
            (
                r["account_id"],
                r["message_id"],
                r["dedup_key"],
                r["profile_id"],
                r["metric"],
                r["ts"],
                r["received_at"],
                r["country"],
                r["revenue"],
                orjson.dumps(r["properties"]).decode(),
            )
            for r in rows
        ]
    else:
        s.execute(Event.__table__.insert(), rows)
        return
    # By profile: a pass's rows for one profile then share the profile index's leaf pages.
    # In arrival order every row lands on another page, and once the index outgrows the page
    # cache that made inserting 2x slower (33 against 16 us a row after 1.5M events;
    # bench/fold_scale.py). Within a profile, by event time, ties in arrival order (a stable
    # sort): the row ids a timeline breaks ties with keep meaning "arrived later".
    params.sort(key=_profile_order)
    cur = dbapi.cursor()
    try:
        cur.executemany(sql, params)
    finally:
        cur.close()


def _update_metrics(s: Session, account_id: str, stats: dict[str, list]) -> None:
    known = {
        m.name: m
        for m in s.scalars(
            select(Metric).where(Metric.account_id == account_id, Metric.name.in_(list(stats)))
        )
    }
    for name, (count, revenue, first, last) in stats.items():
        m = known.get(name)
        if m is None:
            s.add(
                Metric(
                    account_id=account_id,
                    name=name,
                    count=count,
                    revenue=revenue,
                    first_seen=first,
                    last_seen=last,
                )
            )
        else:
            m.count += count
            m.revenue += revenue
            m.first_seen = min(m.first_seen, first)
            m.last_seen = max(m.last_seen, last)

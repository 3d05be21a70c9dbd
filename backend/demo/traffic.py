"""Synthetic storefront traffic as Segment messages: a pure, seeded generator.

generate(events, days, end, seed) yields batches of Segment messages, exactly `events` in
all, over the `days` local calendar days that end on `end`'s date. Each day gets its share
of the events from a day weight (weekday, slow trend, noise, the Black Friday weekend);
a day's sessions are visitors from many countries, starting at a local hour drawn from a
daily cycle in the visitor's own zone. Same arguments, same messages.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate
from zoneinfo import ZoneInfo

from backend.demo import catalog
from backend.demo.ips import ip_pool
from backend.demo.visitor import Visit, Visitor, plan_return

BATCH = 500


def black_friday(day: date) -> date:
    """The day after US Thanksgiving (the fourth Thursday of November) of day's year."""
    nov1 = date(day.year, 11, 1)
    thanksgiving = nov1 + timedelta(days=(3 - nov1.weekday()) % 7 + 21)
    return thanksgiving + timedelta(days=1)


def day_weights(first: date, days: int, rng: random.Random) -> list[float]:
    """Relative traffic of each day: weekly rhythm, growth, noise, Black Friday weekend."""
    out = []
    for i in range(days):
        d = first + timedelta(days=i)
        w = catalog.WEEKDAY[d.weekday()] * (1 + 0.25 * i / max(days, 1))
        w *= rng.uniform(0.93, 1.07)
        bf = black_friday(d)
        w *= {
            -7: 1.15,
            -6: 1.2,
            -5: 1.25,
            -4: 1.3,
            -3: 1.4,
            -2: 1.5,
            -1: 1.6,
            0: 3.6,
            1: 2.4,
            2: 2.0,
            3: 2.5,
        }.get((d - bf).days, 1.0)  # +3 is Cyber Monday
        out.append(w)
    return out


class _World:
    """The visitor population and the sampling tables of one generator run."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        codes = [c for c, _, _ in catalog.COUNTRIES]
        self.pool = ip_pool(tuple(codes))
        self.codes = codes
        self.country_cum = list(accumulate(w for _, w, _ in catalog.COUNTRIES))
        self.zones = {c: [ZoneInfo(z) for z in zs] for c, _, zs in catalog.COUNTRIES}
        self.hour_cum = list(accumulate(catalog.HOURLY))
        self.visitors: list[Visitor] = []
        self.known: list[Visitor] = []
        self.returns: list[tuple[datetime, int, Visitor]] = []  # customers coming back to buy
        self.serial = 0

    def ordered(self, visit: Visit) -> None:
        """After a visit: a customer who ordered is scheduled to come back (plan_return)."""
        if visit.placed_at is not None:
            at = plan_return(self.rng, visit.v, visit.placed_at)
            if at is not None:
                self.serial += 1
                heapq.heappush(self.returns, (at, self.serial, visit.v))

    def due(self, before: datetime) -> Iterator[tuple[datetime, Visitor]]:
        """Customers due back before `before` (an entry an order since replaced is skipped)."""
        while self.returns and self.returns[0][0] < before:
            at, _, v = heapq.heappop(self.returns)
            if v.returns_at == at:
                yield at, v

    def visitor(self) -> Visitor:
        rng = self.rng
        r = rng.random()
        if self.known and r < 0.16:
            return self.known[rng.randrange(len(self.known))]
        if self.visitors and r < 0.34:
            return self.visitors[rng.randrange(len(self.visitors))]
        country = rng.choices(self.codes, cum_weights=self.country_cum)[0]
        zones = self.zones[country]
        v = Visitor(
            anonymous_id=f"{rng.getrandbits(128):032x}",
            country=country,
            zone=zones[rng.randrange(len(zones))],
            ip=self.pool.pick(rng, country),
        )
        self.visitors.append(v)
        return v

    def start(self, day: date, v: Visitor, latest: datetime) -> datetime | None:
        """A session start (naive UTC) on the visitor's local `day`, before `latest`."""
        rng = self.rng
        for _ in range(4):
            hour = rng.choices(range(24), cum_weights=self.hour_cum)[0]
            local = datetime(
                day.year,
                day.month,
                day.day,
                hour,
                rng.randrange(60),
                rng.randrange(60),
                tzinfo=v.zone,
            )
            ts = local.astimezone(UTC).replace(tzinfo=None)
            if ts < latest:
                return ts
        return None


def _day(world: _World, day: date, quota: int, latest: datetime) -> list[dict]:
    """About `quota` messages (exactly, unless the day is mostly in the future) of visits
    on local date `day`."""
    promo = -7 <= (day - black_friday(day)).days <= 3
    msgs: list[dict] = []
    # Customers coming back to order again, by the end of this (UTC) day.
    for at, v in world.due(min(datetime(day.year, day.month, day.day) + timedelta(1), latest)):
        visit = Visit(world.rng, v, at, promo, world.known, returning=True)
        msgs.extend(visit.messages())
        world.ordered(visit)
    misses = 0
    while len(msgs) < quota and misses < 200:
        v = world.visitor()
        ts = world.start(day, v, latest)
        if ts is None:
            misses += 1
            continue
        visit = Visit(world.rng, v, ts, promo, world.known)
        msgs.extend(visit.messages())
        world.ordered(visit)
    del msgs[quota:]  # the day's last visitor leaves early
    return msgs


def generate(
    events: int, days: int, end: datetime, seed: int = 0, batch_size: int = BATCH
) -> Iterator[list[dict]]:
    """Yield batches of Segment messages: exactly `events`, over `days` days ending `end`."""
    if events < 0 or days < 1:
        raise ValueError("events must be >= 0 and days >= 1")
    rng = random.Random(seed)
    end = end.astimezone(UTC).replace(tzinfo=None) if end.tzinfo else end
    latest = end - timedelta(minutes=30)  # sessions run ~30 minutes: none in the future
    first = end.date() - timedelta(days=days - 1)
    weights = day_weights(first, days, rng)
    weights[-1] *= max(end.hour + end.minute / 60, 1.0) / 24  # today is not over yet
    total_w = sum(weights)
    world = _World(rng)
    ids = f"demo-{seed:x}-"
    serial = 0
    batch: list[dict] = []
    done = 0
    cum = 0.0
    for i, w in enumerate(weights):
        cum += w
        quota = (events if i == days - 1 else round(events * cum / total_w)) - done
        day = first + timedelta(days=i)
        msgs = _day(world, day, quota, latest)
        back = 1
        while len(msgs) < quota and back <= days:
            # Late in the UTC day most zones have not started `day` yet: fill up earlier.
            msgs += _day(world, day - timedelta(days=back), quota - len(msgs), latest)
            back += 1
        msgs.sort(key=lambda m: m["timestamp"])
        for m in msgs:
            m["messageId"] = ids + str(serial)
            serial += 1
            batch.append(m)
            if len(batch) >= batch_size:
                yield batch
                batch = []
        done += len(msgs)
    if batch:
        yield batch

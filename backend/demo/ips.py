"""Public IP addresses that geolocate to a chosen country, from geoip2fast's own data.

The ingest pipeline resolves context.ip with geoip2fast (IPv4+IPv6 file); the demo picks
addresses inside networks that this same data maps to each country, so every visitor's
address resolves to the country it was generated for.
"""

from __future__ import annotations

import ipaddress
import random
from functools import lru_cache

from backend.ingest.geo import country_of

NETWORKS_PER_COUNTRY = 48
_V4_SPACE = 1 << 32


class IpPool:
    """Per country: a few (first address, size) networks of IPv4 and IPv6."""

    def __init__(self, networks: dict[str, tuple[list[tuple[int, int]], list[tuple[int, int]]]]):
        self.networks = networks

    def pick(self, rng: random.Random, country: str, v6_share: float = 0.2) -> str:
        v4, v6 = self.networks[country]
        if v6 and (not v4 or rng.random() < v6_share):
            first, size = v6[rng.randrange(len(v6))]
            # Stay in the lower part of huge IPv6 networks: real hosts cluster there.
            return str(ipaddress.IPv6Address(first + 1 + rng.randrange(min(size - 2, 1 << 64))))
        first, size = v4[rng.randrange(len(v4))]
        n = first + (1 + rng.randrange(size - 2) if size > 2 else 0)  # no .0 / broadcast
        return f"{n >> 24}.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


def _tables():
    country_of("8.8.8.8")  # loads geoip2fast's IPv4+IPv6 data once, shared with ingest
    from geoip2fast import geoip2fast as g

    try:
        return (
            g.mainListFirstIP,
            g.mainListNetlength,
            g.mainListIDCountryCodes,
            g.mainListNamesCountry,
            g.numIPsv4,
            g.numIPsv6,
        )
    except AttributeError as exc:  # pragma: no cover - a geoip2fast layout we do not know
        raise RuntimeError(f"unsupported geoip2fast data layout: {exc}") from None


@lru_cache(maxsize=8)
def ip_pool(countries: tuple[str, ...]) -> IpPool:
    """Networks for each country, spread over its whole range, each checked by lookup."""
    firsts, netlens, ids, names, sizes4, sizes6 = _tables()
    wanted = set(countries)
    found: dict[str, tuple[list, list]] = {c: ([], []) for c in countries}
    for chunk_first, chunk_len, chunk_ids in zip(firsts, netlens, ids, strict=True):
        for first, netlen, cid in zip(chunk_first, chunk_len, chunk_ids, strict=True):
            code = names[cid][:2]
            if code in wanted:
                if first < _V4_SPACE:
                    found[code][0].append((first, sizes4[netlen]))
                else:
                    found[code][1].append((first, sizes6[netlen]))
    networks = {}
    for code, (v4, v6) in found.items():
        picked = (_spread(v4), _spread(v6))
        picked = tuple([n for n in nets if _resolves(n, code)] for nets in picked)
        if not picked[0] and not picked[1]:
            raise RuntimeError(f"geoip2fast has no usable network for {code}")
        networks[code] = picked
    return IpPool(networks)


def _spread(nets: list[tuple[int, int]]) -> list[tuple[int, int]]:
    if len(nets) <= NETWORKS_PER_COUNTRY:
        return list(nets)
    step = len(nets) / NETWORKS_PER_COUNTRY
    return [nets[int(i * step)] for i in range(NETWORKS_PER_COUNTRY)]


def _resolves(net: tuple[int, int], code: str) -> bool:
    first, size = net
    last = first + size - 2 if size > 2 else first
    ips = [ipaddress.ip_address(first + 1 if size > 2 else first), ipaddress.ip_address(last)]
    if first >= _V4_SPACE:
        ips = [ipaddress.IPv6Address(first), ipaddress.IPv6Address(first + min(size - 1, 1 << 64))]
    return all(country_of(str(ip)) == code for ip in ips)

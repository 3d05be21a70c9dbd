"""Country names for ISO codes, from the geolocation data ingestion already loads."""

from __future__ import annotations

from functools import lru_cache

# Names that plotly's world map does not recognise in the geolocation data's spelling.
_MAP_NAMES = {"TR": "Turkey", "CD": "Democratic Republic of the Congo", "CI": "Cote d'Ivoire"}


@lru_cache(maxsize=1)
def names() -> dict[str, str]:
    """{"US": "United States", ...} for every real country code."""
    from backend.ingest import geo

    geo.data()  # loads the data file once per process (shared with ingestion)
    import geoip2fast.geoip2fast as data

    out = {}
    for entry in data.mainListNamesCountry:
        code, _, name = entry.partition(":")
        if len(code) == 2 and code.isalpha():
            out[code] = name
    return out


def name(code: str | None) -> str:
    if not code:
        return "Unknown"
    return names().get(code, code)


def map_name(code: str) -> str:
    """The name plotly's "country names" location mode matches."""
    return _MAP_NAMES.get(code) or name(code)

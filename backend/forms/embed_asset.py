"""The storefront script (assets/embed/embed.js) and its content-hash version, so it can be
served under a versioned URL with a year-long cache and change the moment the file does."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

EMBED_JS = Path(__file__).resolve().parents[2] / "assets" / "embed" / "embed.js"


@dataclass(frozen=True)
class Asset:
    body: bytes
    version: str


_cache: dict[float, Asset] = {}


def embed_asset() -> Asset:
    """The current file (re-read when it changes on disk, e.g. during development)."""
    mtime = EMBED_JS.stat().st_mtime
    asset = _cache.get(mtime)
    if asset is None:
        body = EMBED_JS.read_bytes()
        asset = Asset(body, hashlib.sha256(body).hexdigest()[:12])
        _cache.clear()
        _cache[mtime] = asset
    return asset


def versioned_path() -> str:
    return f"/embed/{embed_asset().version}.js"

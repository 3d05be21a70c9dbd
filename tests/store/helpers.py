"""What store tests share."""

from __future__ import annotations

import importlib
import pkgutil

import backend.store


def all_models() -> None:
    """Import every model module of the store, so Base.metadata knows every table."""
    for mod in pkgutil.iter_modules(backend.store.__path__):
        if mod.name.endswith("models"):
            importlib.import_module(f"backend.store.{mod.name}")

"""The running services of one app: settings, relational store and (lazily) the rest.

create_app builds one Runtime and keeps it in `app.extensions["tally"]`; the API and the
pages reach every backend service through it, so both use the same objects.
"""

from __future__ import annotations

import gc
import threading
from typing import Any

from backend.config import Settings
from backend.store.db import Database


class Runtime:
    def __init__(self, settings: Settings, migrate: bool = True):
        self.settings = settings
        settings.var_dir.mkdir(parents=True, exist_ok=True)
        self.db = Database(settings.database_url)
        if migrate:
            self.db.migrate()
        self._lock = threading.RLock()  # services may build other services
        self._services: dict[str, Any] = {}
        # Called in the aggregator's transaction for each batch of new events. The runtime
        # is where capabilities are wired together, so ingest never imports flows.
        from backend.flows.enroll import enroll

        self.fold_hooks: list = [enroll]
        # Renderers the UI layer lends to backend (reports draw the page's own charts).
        # app.create_app fills it; backend never imports the UI.
        self.renderers: dict[str, Any] = {}

    def service(self, name: str, factory):
        """Build a service once per process, on first use (workers fork before that)."""
        svc = self._services.get(name)
        if svc is None:
            with self._lock:
                svc = self._services.get(name)
                if svc is None:
                    svc = self._services[name] = factory(self)
        return svc

    def close(self) -> None:
        for svc in reversed(list(self._services.values())):
            close = getattr(svc, "close", None)
            if close:
                close()
        self._services.clear()
        self.db.dispose()


def freeze_startup_objects() -> None:
    """Move every object built so far (the Dash pages, SQLAlchemy metadata: ~200k) out of
    the collector's reach: they live as long as the process, and a full collection that
    re-scanned them took ~50-100 ms, a pause landing on whichever request or query ran then.
    Request workers (backend/server.py) and background processes (backend/jobs.py) call it
    once they have started."""
    gc.collect()
    gc.freeze()

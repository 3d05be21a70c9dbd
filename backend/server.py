"""`tally serve`: gunicorn with the app factory; migrations run once, before workers fork."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable

from flask import Flask
from gunicorn.app.base import BaseApplication

from backend.config import Settings
from backend.jobs import JobsSupervisor
from backend.runtime import freeze_startup_objects
from backend.store.db import Database

log = logging.getLogger("tally.server")
THREADS = 4  # a worker's request threads (gunicorn gthread)


class _Gunicorn(BaseApplication):
    def __init__(
        self, settings: Settings, factory: Callable[..., Flask], options: dict, renderers: Callable
    ):
        self.settings = settings
        self.factory = factory
        self.renderers = renderers
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)
        supervisor = JobsSupervisor(self.settings, self.renderers)
        # The master starts the jobs process once it is ready, and stops it on exit.
        self.cfg.set("when_ready", lambda _server: supervisor.start())
        self.cfg.set("on_exit", lambda _server: supervisor.stop())
        self.cfg.set("post_fork", lambda _server, _worker: _forget_inherited_children())

    def load(self):
        from backend.ingest import ingestor

        app = self.factory(self.settings, migrate=False)
        # What the worker's first requests would load is loaded now, and frozen with the rest.
        ingestor(app.extensions["tally"]).warm_up_worker()
        freeze_startup_objects()
        return app


def _forget_inherited_children() -> None:
    """A worker is forked from the master after the background processes started, so it
    inherits multiprocessing's list of the master's children; at exit multiprocessing joins
    them and prints "can only join a child process" for each worker. They are not its own."""
    import multiprocessing.process

    multiprocessing.process._children.clear()


def run_production(
    settings: Settings,
    factory: Callable[..., Flask],
    host: str,
    port: int,
    workers: int = 2,
    renderers: Callable = lambda runtime: None,
) -> None:
    """Serve `factory(settings, migrate=False)` (app.create_app) in gunicorn workers."""
    settings = settings.with_(production=True)
    settings.require_secret()
    db = Database(settings.database_url)
    db.migrate()
    db.dispose()
    log.info("serving Tally on http://%s:%s with %d workers", host, port, workers)
    _Gunicorn(
        settings,
        factory,
        {
            "bind": f"{host}:{port}",
            "workers": max(1, workers),
            "worker_class": "gthread",
            "threads": THREADS,
            "timeout": 60,
            "graceful_timeout": 10,
            "accesslog": None,
            # Workers touch a heartbeat file on every loop; on a disk it dirties an inode
            # that each spool fdatasync then commits to the journal too. gunicorn's own
            # advice: keep it in memory.
            "worker_tmp_dir": "/dev/shm" if os.path.isdir("/dev/shm") else None,
        },
        renderers,
    ).run()

"""Widget callbacks registered on each Dash app that shows the widget.

dash.callback() in a module that Python imports once registers on whichever app is built
next only: a second app in the same process (tests build several) would get none. Pages are
executed again for every app, so a page calls `widget.callbacks.register()` and the widget's
callbacks land on that app, once."""

from __future__ import annotations

import weakref
from collections.abc import Callable

import dash


class Callbacks:
    def __init__(self) -> None:
        self._specs: list[tuple[str, tuple, dict, Callable | None]] = []
        self._apps: weakref.WeakSet = weakref.WeakSet()

    def callback(self, *args, **kwargs) -> Callable:
        def add(fn: Callable) -> Callable:
            self._specs.append(("server", args, kwargs, fn))
            return fn
        return add

    def clientside(self, js: str, *args, **kwargs) -> None:
        self._specs.append(("client", (js, *args), kwargs, None))

    def register(self, app: dash.Dash | None = None) -> None:
        app = app or dash.get_app()
        if app in self._apps:
            return
        self._apps.add(app)
        for kind, args, kwargs, fn in self._specs:
            if kind == "server":
                app.callback(*args, **kwargs)(fn)
            else:
                app.clientside_callback(*args, **kwargs)

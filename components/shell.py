"""The app shell: header (brand, counting lag, account, logout), navigation, page container."""

from __future__ import annotations

import json
from pathlib import Path

import dash
import dash_mantine_components as dmc
from dash import Dash, Input, Output, State, dcc, html
from flask import Flask

from backend.api.login import csrf_token
from components.context import account_name
from components.icons import icon
from components.ingest_status import ingest_status

# Only registered pages appear (a capability shows up when its page lands), in this order;
# any other page registered with nav=True follows them.
NAV_ORDER = [
    "Dashboards",
    "Campaigns",
    "Flows",
    "Forms",
    "Profiles",
    "Lists",
    "Segments",
    "Settings",
]


def nav_pages() -> list[dict]:
    pages = [p for p in dash.page_registry.values() if p.get("nav", True)]
    rank = {name: i for i, name in enumerate(NAV_ORDER)}
    return sorted(pages, key=lambda p: (rank.get(p["name"], len(rank)), p["name"]))


def _nav_id(name: str) -> str:
    return "nav-" + name.lower().replace(" ", "-")


def _nav_links() -> list:
    return [
        dmc.NavLink(
            label=page["name"],
            href=page["relative_path"],
            active="partial",
            leftSection=icon(page.get("icon", "dot")),
            id=_nav_id(page["name"]),
        )
        for page in nav_pages()
    ]


def header() -> dmc.AppShellHeader:
    return dmc.AppShellHeader(
        dmc.Group(
            [
                dmc.Group(
                    [
                        # Below Mantine's "sm" breakpoint the navbar would cover the whole
                        # page; it collapses there, and this button opens it.
                        dmc.Burger(
                            id="shell-burger",
                            opened=False,
                            hiddenFrom="sm",
                            size="sm",
                            **{
                                "aria-label": "Navigation",
                                "aria-expanded": "false",
                                "aria-controls": "shell-nav",
                            },
                        ),
                        html.Span("▮▮▯", className="brand-mark", **{"aria-hidden": "true"}),
                        dmc.Text("Tally", fw=700, size="lg", c="indigo.7"),
                    ],
                    gap=8,
                ),
                ingest_status(),
                dmc.Group(
                    [
                        dmc.Text(account_name(), id="shell-account-name", fw=500, size="sm"),
                        html.Form(
                            [
                                dcc.Input(
                                    type="hidden",
                                    name="csrf",
                                    value=csrf_token(),
                                    id="shell-logout-csrf",
                                ),
                                html.Button(
                                    "Log out",
                                    type="submit",
                                    id="shell-logout",
                                    className="logout-button",
                                ),
                            ],
                            method="POST",
                            action="/logout",
                        ),
                    ],
                    gap="md",
                ),
            ],
            justify="space-between",
            h="100%",
            px="md",
        )
    )


def navbar_settings(opened: bool) -> dict:
    return {"width": 220, "breakpoint": "sm", "collapsed": {"mobile": not opened}}


def layout():
    """Called per page load, so the account name is the logged-in user's."""
    return dmc.MantineProvider(
        dmc.AppShell(
            [
                dcc.Location(id="shell-url", refresh="callback-nav"),
                html.A("Skip to content", href="#main", className="skip-link"),
                header(),
                dmc.AppShellNavbar(
                    html.Nav(_nav_links(), **{"aria-label": "Main"}), p="sm", id="shell-nav"
                ),
                dmc.AppShellMain(html.Div(dash.page_container, id="main", tabIndex="-1")),
            ],
            header={"height": 56},
            navbar=navbar_settings(opened=False),
            padding="lg",
            id="shell",
        ),
        theme={
            "primaryColor": "indigo",
            # Mantine's default shade 6 puts white text on indigo at 4.3:1 (WCAG AA asks
            # 4.5:1); shade 8 is 5.7:1. autoContrast writes dark text on light fills (green,
            # yellow, teal) instead of white at 2-3.5:1. The rest is in assets/app.css.
            "primaryShade": 8,
            "autoContrast": True,
            "luminanceThreshold": 0.2,
            "fontFamily": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif",
        },
    )


def mount_dash(server: Flask, root: Path) -> Dash:
    app = Dash(
        __name__,
        server=server,
        use_pages=True,
        pages_folder=str(root / "pages"),
        assets_folder=str(root / "assets"),
        assets_path_ignore=["embed"],
        # login.css styles the plain-HTML login page only; it must not leak into the app.
        assets_ignore=r"login\.css$",
        title="Tally",
        update_title=None,
        suppress_callback_exceptions=True,
    )
    # Screen readers pick their voice and pronunciation by the page's language.
    app.index_string = app.index_string.replace("<html>", '<html lang="en">', 1)
    app.layout = layout
    _mark_current_page(app)
    _toggle_narrow_nav(app)
    _share_global_callbacks()
    # Dash finishes setting up on its first request, and flags that before the work is
    # done: with threaded workers a concurrent request then finds no script registered
    # and fails (500 on /_dash-component-suites). Set up now, before any request.
    with server.test_request_context("/"):
        app._setup_server()
    return app


# dash.callback registers into module-level lists that the FIRST app to start serving
# empties. Page modules are executed again for every app, but a component module is
# imported once, so a second app in the same process (tests build many) would miss its
# callbacks. Remember every global registration and hand it to each new app.
_SEEN_MAP: dict = {}
_SEEN_LIST: list = []
_SEEN_SCRIPTS: list = []  # the JS of clientside callbacks, emptied the same way


def _share_global_callbacks() -> None:
    from dash import _callback

    for key, value in _callback.GLOBAL_CALLBACK_MAP.items():
        _SEEN_MAP.setdefault(key, value)
    for item in _callback.GLOBAL_CALLBACK_LIST:
        if item not in _SEEN_LIST:
            _SEEN_LIST.append(item)
    for key, value in _SEEN_MAP.items():
        _callback.GLOBAL_CALLBACK_MAP.setdefault(key, value)
    for item in _SEEN_LIST:
        if item not in _callback.GLOBAL_CALLBACK_LIST:
            _callback.GLOBAL_CALLBACK_LIST.append(item)
    for script in _callback.GLOBAL_INLINE_SCRIPTS:
        if script not in _SEEN_SCRIPTS:
            _SEEN_SCRIPTS.append(script)
    for script in _SEEN_SCRIPTS:
        if script not in _callback.GLOBAL_INLINE_SCRIPTS:
            _callback.GLOBAL_INLINE_SCRIPTS.append(script)


def _mark_current_page(app: Dash) -> None:
    """aria-current="page" on the nav link of the page shown, for screen readers (Mantine
    only colours it)."""
    links = [(_nav_id(p["name"]), p["relative_path"]) for p in nav_pages()]
    if not links:
        return
    hrefs = json.dumps([href for _, href in links])
    app.clientside_callback(
        f"""function(path) {{
            path = path || "/";
            return {hrefs}.map(h => (path === h || path.startsWith(h + "/")) ? "page" : null);
        }}""",
        [Output(nav_id, "aria-current") for nav_id, _ in links],
        Input("shell-url", "pathname"),
    )


def _toggle_narrow_nav(app: Dash) -> None:
    """On a narrow window the burger opens and closes the navbar; following a link closes it
    (the page is what the user went for)."""
    app.clientside_callback(
        """function(opened, _path, navbar) {
            const ctx = window.dash_clientside.callback_context;
            const byLink = (ctx.triggered || []).some(t => t.prop_id.startsWith("shell-url."));
            const nav = byLink ? false : !!opened;
            return [Object.assign({}, navbar, {collapsed: {mobile: !nav}}), nav, String(nav)];
        }""",
        Output("shell", "navbar"),
        Output("shell-burger", "opened"),
        Output("shell-burger", "aria-expanded"),
        Input("shell-burger", "opened"),
        Input("shell-url", "pathname"),
        State("shell", "navbar"),
        prevent_initial_call=True,
    )

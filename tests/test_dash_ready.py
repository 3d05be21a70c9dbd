"""The Dash app is fully set up when create_app returns: a threaded worker's first two
requests must not race Dash's lazy set-up (that race answered 500 for the JS bundles)."""

import threading


def test_scripts_are_registered_before_the_first_request(app):
    dash_app = app.extensions["tally_dash"]
    assert "dash" in dash_app.registered_paths
    assert "dash_mantine_components" in dash_app.registered_paths


def test_concurrent_first_requests_all_get_the_bundles(app):
    page = app.test_client().get("/login")
    assert page.status_code == 200
    dash_app = app.extensions["tally_dash"]
    paths = [
        f"/_dash-component-suites/{pkg}/{path}"
        for pkg, files in dash_app.registered_paths.items()
        for path in sorted(f for f in files if f.endswith(".js"))[:2]
    ]
    results = []

    def fetch(path):
        results.append(app.test_client().get(path).status_code)

    threads = [threading.Thread(target=fetch, args=(p,)) for p in paths * 3]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results and set(results) == {200}


def test_every_app_in_a_process_gets_every_widget_callback(app, tmp_path):
    """dash.callback registers on the first app only; a second app must not lose any
    server or clientside callback of the widgets (tests build many apps)."""
    from app import create_app
    from tests.conftest import make_settings

    second = create_app(make_settings(tmp_path / "b", f"sqlite:///{tmp_path}/b.sqlite3"))
    try:
        first_dash, second_dash = app.extensions["tally_dash"], second.extensions["tally_dash"]
        assert set(second_dash.callback_map) == set(first_dash.callback_map)
        assert len(second_dash._inline_scripts) == len(first_dash._inline_scripts) > 0
    finally:
        second.extensions["tally"].close()

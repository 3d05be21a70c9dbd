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
    paths = [f"/_dash-component-suites/{pkg}/{path}" for pkg, files in dash_app.registered_paths.items()
             for path in sorted(f for f in files if f.endswith(".js"))[:2]]
    results = []

    def fetch(path):
        results.append(app.test_client().get(path).status_code)

    threads = [threading.Thread(target=fetch, args=(p,)) for p in paths * 3]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results and set(results) == {200}

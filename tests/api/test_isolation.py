"""Every API route, found in app.url_map, is locked and keeps accounts apart (that each is
documented: tests/test_api_docs.py).

A new /api route fails test_every_api_route_has_a_cross_account_case until CASES (in
isolation_cases.py) says what account B's private key gets on account A's resources there.
"""

from __future__ import annotations

import pytest
from isolation_cases import CASES, bearer
from werkzeug.routing import IntegerConverter, Rule

PUBLIC_DOCS = "/api/openapi.json"


def routes(app, prefixes=("/api/",)) -> dict[str, Rule]:
    """'METHOD /rule' -> rule, for every route under the prefixes (HEAD/OPTIONS are implied)."""
    found = {}
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(prefixes) and rule.rule != PUBLIC_DOCS:
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                found[f"{method} {rule.rule}"] = rule
    return found


def sample_path(rule: Rule) -> str:
    values = {
        name: 1 if isinstance(conv, IntegerConverter) else "x"
        for name, conv in rule._converters.items()
    }
    return rule.build(values, append_unknown=False)[1]


# ------------------------------------------------------------------------ tests


def test_every_api_route_has_a_cross_account_case(app):
    found = set(routes(app))
    missing = sorted(found - set(CASES))
    assert not missing, (
        "these /api routes have no cross-account case; add one to CASES in "
        f"tests/api/isolation_cases.py: {missing}"
    )
    stale = sorted(set(CASES) - found)
    assert not stale, f"CASES in tests/api/isolation_cases.py name routes that are gone: {stale}"


@pytest.mark.parametrize("route", sorted(CASES))
def test_a_key_of_one_account_never_reaches_another(client, make_account, route):
    a = make_account("Shop A", email="a@shop-a.test")
    b = make_account("Shop B", email="b@shop-b.test")
    CASES[route](client, a, b)


def test_every_api_route_refuses_requests_without_a_private_key(app, client, account):
    wrong = {
        "no key": {},
        "write key": bearer(account.write_key),
        "public key": bearer(account.public_key),
        "write key as basic": None,
    }
    failures = []
    for route, rule in sorted(routes(app).items()):
        method, _ = route.split(" ", 1)
        for name, headers in wrong.items():
            kwargs = {"auth": (account.write_key, "")} if headers is None else {"headers": headers}
            resp = client.open(sample_path(rule), method=method, json={}, **kwargs)
            ok = resp.status_code == 401 and resp.is_json and "error" in (resp.get_json() or {})
            if not ok:
                failures.append(f"{route} with {name}: {resp.status_code} {resp.data[:80]!r}")
    assert not failures, "routes that did not answer a JSON 401:\n" + "\n".join(failures)

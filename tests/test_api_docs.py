"""Every door of the API is documented twice: in the OpenAPI document (/api/openapi.json,
for machines) and in docs/api.md (for people). A route missing from either fails here, with
the line to add."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app import create_app
from backend.api.openapi import document
from tests.conftest import make_settings

ROOT = Path(__file__).resolve().parent.parent
API_DOC = ROOT / "docs" / "api.md"
DOORS = ("/api/", "/v1/", "/client/", "/embed")
_PARAM = re.compile(r"<[^>]*>|\{[^}]*\}")


def _shape(path: str) -> str:
    """/api/flows/<int:flow_id> and /api/flows/{flow_id} and /api/flows/<id> alike."""
    return _PARAM.sub("<>", path)


@pytest.fixture(scope="module")
def routes(tmp_path_factory) -> list[tuple[str, str]]:
    tmp = tmp_path_factory.mktemp("api_docs")
    app = create_app(make_settings(tmp, f"sqlite:///{tmp / 'tally.db'}"), ui=False)
    return sorted(
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(DOORS)
        for method in rule.methods - {"HEAD", "OPTIONS"}
    )


def test_every_route_is_in_the_openapi_document(routes):
    documented = {_shape(p): {m.upper() for m in ops} for p, ops in document()["paths"].items()}
    missing = [(p, m) for p, m in routes if m not in documented.get(_shape(p), set())]
    assert not missing, "\n".join(
        f"{m} {p} has no OpenAPI entry: in the module that defines it, call "
        f"backend.api.openapi.register_paths({{{p!r}: {{{m.lower()!r}: {{'summary': ..., "
        f"'security': ..., 'responses': {{...}}}}}}}}) (see backend/api/flows.py)"
        for p, m in missing
    )


def test_every_route_is_in_docs_api_md(routes):
    text = _shape(API_DOC.read_text())
    missing = sorted(
        {p for p, _ in routes if not re.search(re.escape(_shape(p)) + r"(?![\w/<.-])", text)}
    )
    assert not missing, "\n".join(
        f"{p} is not in docs/api.md: write its path as `{_PARAM.sub('<id>', p)}` in your "
        "capability's section at the end of docs/api.md, with its methods, body, answer JSON "
        "and status codes"
        for p in missing
    )


def test_the_check_sees_a_missing_path():
    # The boundary check: a documented path does not stand in for a longer undocumented one.
    text = _shape("`GET /api/forms/<id>/publish`")
    assert re.search(re.escape(_shape("/api/forms/<int:form_id>")) + r"(?![\w/<.-])", text) is None

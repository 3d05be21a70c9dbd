"""One error path: services raise backend.errors' kinds, backend/api/errors.py answers them.
No view catches a backend error to raise an ApiError in its place (the `_call` helpers and
`raise ApiError(...) from None` translations this replaced)."""

from __future__ import annotations

import ast
from pathlib import Path

from backend.errors import Invalid, NotFound, TallyError

ROOT = Path(__file__).resolve().parent.parent


def _backend_names(tree: ast.Module) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("backend"):
            names |= {a.asname or a.name for a in node.names}
        elif isinstance(node, ast.Import):
            names |= {a.asname or a.name.split(".")[0] for a in node.names if "backend" in a.name}
    return names


def translations(source: str) -> list[int]:
    """Lines of `except <backend error>:` handlers that raise ApiError."""
    tree = ast.parse(source)
    backend = _backend_names(tree)
    found = []
    for handler in (n for n in ast.walk(tree) if isinstance(n, ast.ExceptHandler)):
        if handler.type is None:
            continue
        caught = [ast.unparse(t).split(".")[0] for t in ast.walk(handler.type)]
        raises_api_error = any(
            isinstance(n, ast.Raise) and "ApiError" in ast.unparse(n.exc or ast.Constant(None))
            for n in ast.walk(handler)
        )
        if raises_api_error and backend & set(caught):
            found.append(handler.lineno)
    return found


def test_no_view_translates_backend_errors():
    bad = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in sorted((ROOT / "backend" / "api").glob("*.py"))
        for line in translations(path.read_text())
    ]
    assert not bad, (
        "raise backend.errors.NotFound / Invalid / Conflict (or a subclass) in the service "
        "and let backend/api/errors.py answer; no try/except ApiError in views:\n" + "\n".join(bad)
    )


def test_the_check_catches_a_translation():
    source = (
        "from backend.flows.service import FlowNotFound\n"
        "try:\n    f()\nexcept FlowNotFound as exc:\n    raise ApiError(404, str(exc)) from None\n"
        "try:\n    g()\nexcept zlib.error:\n    raise ApiError(400, 'not gzip') from None\n"
    )
    assert translations(source) == [4]


def test_capability_errors_stand_on_the_bases():
    """What the views used to translate by hand now maps through the base classes."""
    from backend.accounts.dimensions import DimensionsInvalid
    from backend.accounts.keys import InvalidLabel, UnknownKey
    from backend.analytics.errors import InvalidQuery
    from backend.analytics.errors import NotFound as MetricNotFound
    from backend.dashboards.schema import DashboardInvalid
    from backend.dashboards.service import DashboardNotFound
    from backend.flows.schema import FlowInvalid, Problem
    from backend.flows.service import FlowNotFound
    from backend.forms.confirm import ConfirmUnavailable
    from backend.forms.service import FormNotFound
    from backend.forms.submit import RateLimited
    from backend.forms.values import SubmissionInvalid
    from backend.ingest.errors import InvalidMessage, TooLarge
    from backend.reports.chromium import ChromiumMissing
    from backend.reports.schedules import ScheduleInvalid

    for cls in (UnknownKey, DashboardNotFound, FlowNotFound, FormNotFound, MetricNotFound):
        assert issubclass(cls, NotFound)
    for cls in (DimensionsInvalid, InvalidLabel, InvalidQuery, DashboardInvalid, FlowInvalid):
        assert issubclass(cls, Invalid)
    for cls in (SubmissionInvalid, InvalidMessage, ScheduleInvalid):
        assert issubclass(cls, Invalid)
    statuses = {TooLarge: 413, RateLimited: 429, ChromiumMissing: 503, ConfirmUnavailable: 503}
    for cls, status in statuses.items():
        assert issubclass(cls, TallyError) and cls.status == status
    # The bodies' extra keys, as before: problems as dicts, the field, the parameter.
    flow = FlowInvalid([Problem("n1", "unknown node")])
    assert flow.extra == {"problems": [{"node": "n1", "problem": "unknown node"}]}
    assert flow.problems[0].node == "n1"
    assert DashboardInvalid("cards[0].chart", "bad").extra == {"field": "cards[0].chart"}
    assert InvalidQuery("tz", "unknown").extra == {"param": "tz"}
    assert SubmissionInvalid({"email": "required"}).extra == {"fields": {"email": "required"}}

"""The layering rules of docs/architecture.md, read from the source with ast (no imports run).

pages -> components -> backend; backend never imports the UI; backend/api never imports
pages or components; pages never import other pages; components never import pages.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
UI_ROOTS = ("dash", "pages", "components")


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module name) for every import in the file, at any depth."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the file's package
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.append((node.lineno, module))
            # `from pages import settings` imports the page module too
            found += [(node.lineno, f"{module}.{alias.name}") for alias in node.names]
    return found


def root_of(module: str) -> str:
    return module.split(".", 1)[0]


def is_ui(module: str) -> bool:
    top = root_of(module)
    return top in UI_ROOTS or top.startswith("dash_")


def sources(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


def violations(folder: str, forbidden) -> list[str]:
    out = []
    for path in sources(folder):
        for line, module in imported_modules(path):
            reason = forbidden(path, module)
            if reason:
                out.append(f"{path.relative_to(ROOT)}:{line} imports {module} ({reason})")
    return out


def test_the_layers_exist():
    for folder in ("backend", "backend/api", "pages", "components"):
        assert sources(folder), f"no Python files under {folder}/"


def test_backend_never_imports_the_ui():
    found = violations("backend", lambda p, m: "backend is pure Python" if is_ui(m) else None)
    assert not found, "\n".join(found)


def test_the_api_never_imports_pages_or_components():
    def rule(_path, module):
        return "the API renders JSON" if root_of(module) in ("pages", "components") else None

    found = violations("backend/api", rule)
    assert not found, "\n".join(found)


def test_pages_never_import_other_pages():
    def rule(path, module):
        if root_of(module) == "pages":
            return "Dash runs pages itself; share code through components"
        return None

    found = violations("pages", rule)
    assert not found, "\n".join(found)


def test_components_never_import_pages():
    found = violations(
        "components",
        lambda p, m: "components are below pages" if root_of(m) == "pages" else None,
    )
    assert not found, "\n".join(found)


def _outside_api(path: Path) -> bool:
    return "api" not in path.relative_to(ROOT).parts[1:2]


def test_only_the_api_touches_flask_requests():
    def rule(path, module):
        # Flask the class (an app factory's type) is fine; request, g, session... are not.
        if (
            _outside_api(path)
            and root_of(module) == "flask"
            and module not in ("flask", "flask.Flask")
        ):
            return "only backend/api knows about requests"
        return None

    found = violations("backend", rule)
    assert not found, "\n".join(found)


def test_capabilities_never_import_the_api():
    def rule(path, module):
        if _outside_api(path) and module.startswith("backend.api"):
            return "the API sits on top of the capabilities"
        return None

    found = violations("backend", rule)
    assert not found, "\n".join(found)


@pytest.mark.parametrize("bottom", ["store", "counters"])
def test_store_and_counters_are_the_bottom_layer(bottom):
    allowed = ("backend.store", "backend.counters", "backend.config")

    def rule(_path, module):
        if root_of(module) == "backend" and module != "backend" and not module.startswith(allowed):
            return f"backend/{bottom} only builds on store, counters and config"
        return None

    found = violations(f"backend/{bottom}", rule)
    assert not found, "\n".join(found)


@pytest.mark.parametrize(
    "source, folder, expected",
    [
        ("import dash\n", "backend/x.py", ["dash"]),
        (
            "from dash_mantine_components import Button\n",
            "backend/x.py",
            ["dash_mantine_components"],
        ),
        ("def f():\n    from components.shell import layout\n", "backend/x.py", ["components"]),
        ("from ..pages import home\n", "backend/api/x.py", []),  # backend.pages: not the UI
        ("from . import settings\n", "pages/x.py", ["pages"]),
        ("from pages import settings\n", "components/x.py", ["pages"]),
        ("import backend.store\n", "pages/x.py", []),
    ],
)
def test_the_checker_catches_what_it_should(tmp_path, monkeypatch, source, folder, expected):
    """The rules above are only as good as imported_modules: prove it on small sources."""
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    path = tmp_path / folder
    path.parent.mkdir(parents=True)
    path.write_text(source)
    tops = {root_of(m) for _, m in imported_modules(path)}
    bad = sorted(t for t in tops if is_ui(t) or t == "pages")
    if folder.startswith("pages/"):
        bad = [t for t in bad if t == "pages"]
    assert bad == expected


def test_no_test_module_imports_another():
    """What tests share lives in a conftest.py or a helpers module (tests/browser/helpers.py,
    tests/browser/storefront.py, tests/flows/helpers.py...): importing a test module runs its
    module-level code again and ties two test files together."""
    found = []
    for path in sorted((ROOT / "tests").rglob("test_*.py")):
        for line, module in imported_modules(path):
            parts = module.split(".")
            for i in range(2, len(parts) + 1):
                target = ROOT.joinpath(*parts[:i]).with_suffix(".py")
                if target.name.startswith("test_") and target.is_file() and target != path:
                    found.append(f"{path.relative_to(ROOT)}:{line} imports {'.'.join(parts[:i])}")
                    break
    assert not found, "move what is shared into a helpers module or conftest.py:\n" + "\n".join(
        sorted(set(found))
    )

"""No import cycles between Tally's own modules, counting imports inside functions too: an
import moved into a function hides a cycle from Python, not from the reader. What two
modules both need belongs in a third (docs/architecture.md, rule 4)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("backend", "components", "pages")


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules(root: Path) -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            if "migrations" not in path.parts:
                found[module_name(path, root)] = path
    return found


def imports(path: Path, name: str, known: set[str]) -> set[str]:
    """The known modules `path` imports, at any depth of its code. `from a import b` names
    a.b when b is a module, else a; a package's __init__ is not implied."""
    is_package = path.name == "__init__.py"
    package = name if is_package else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                base_name = ".".join([*base, node.module] if node.module else base)
            else:
                base_name = node.module or ""
            for alias in node.names:
                sub = f"{base_name}.{alias.name}"
                out.add(sub if sub in known else base_name)
    return {m for m in out if m in known and m != name}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def graph_of(root: Path) -> dict[str, set[str]]:
    known = modules(root)
    return {name: imports(path, name, set(known)) for name, path in known.items()}


def test_no_import_cycles():
    graph = graph_of(ROOT)
    found = cycles(graph)
    assert not found, "import cycles (move what both sides need into a module of its own):\n" + (
        "\n".join(
            " <-> ".join(c)
            + "\n    "
            + "; ".join(f"{a} imports {b}" for a in c for b in sorted(graph[a] & set(c)))
            for c in found
        )
    )


def test_the_check_sees_a_cycle_through_a_function_level_import(tmp_path):
    (tmp_path / "backend" / "x").mkdir(parents=True)
    (tmp_path / "components").mkdir()
    (tmp_path / "pages").mkdir()
    (tmp_path / "backend" / "__init__.py").write_text("")
    (tmp_path / "backend" / "x" / "__init__.py").write_text("")
    (tmp_path / "backend" / "x" / "a.py").write_text("from backend.x import b\n")
    (tmp_path / "backend" / "x" / "b.py").write_text("def f():\n    from . import a\n")
    (tmp_path / "backend" / "x" / "c.py").write_text("from backend.x.a import thing\n")
    assert cycles(graph_of(tmp_path)) == [["backend.x.a", "backend.x.b"]]

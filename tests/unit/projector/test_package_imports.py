"""The projector and the query API are separate processes: neither package imports the other,
both may import the store they share, and no two modules of one package import each other."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

SRC = Path(__file__).resolve().parents[3] / "services" / "query-api" / "src"
PACKAGES = ("mediawatch_store", "mediawatch_projector", "mediawatch_api")


def _module(path: Path) -> str:
    parts = path.relative_to(SRC).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every absolute module name the file imports, TYPE_CHECKING and function imports too."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _graph(package: str) -> dict[str, set[str]]:
    modules = {_module(p): p for p in (SRC / package).rglob("*.py")}
    return {name: _imports(path) & modules.keys() - {name} for name, path in modules.items()}


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("mediawatch_store", {"mediawatch_projector", "mediawatch_api"}),
        ("mediawatch_projector", {"mediawatch_api"}),
        ("mediawatch_api", {"mediawatch_projector"}),
    ],
)
def test_a_package_imports_only_what_it_may(package: str, forbidden: set[str]) -> None:
    tops = {name.split(".")[0] for path in (SRC / package).rglob("*.py") for name in _imports(path)}
    assert "mediawatch_common" in tops
    assert tops & forbidden == set()


@pytest.mark.parametrize("package", PACKAGES)
def test_no_import_cycle_between_modules(package: str) -> None:
    graph = _graph(package)
    # A package's __init__ re-exports its modules; only cycles among the modules count.
    inits = {_module(p) for p in (SRC / package).rglob("__init__.py")}
    edges = {m: targets - inits for m, targets in graph.items() if m not in inits}
    done: set[str] = set()

    def visit(module: str, path: tuple[str, ...]) -> None:
        if module in path:
            pytest.fail(" -> ".join((*path[path.index(module) :], module)))
        if module in done:
            return
        for target in sorted(edges.get(module, ())):
            visit(target, (*path, module))
        done.add(module)

    assert edges
    for module in sorted(edges):
        visit(module, ())

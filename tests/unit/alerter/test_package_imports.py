"""The alerter and the notifier are separate processes: neither package imports the other."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

SRC = Path(__file__).resolve().parents[3] / "services" / "alerter" / "src"


def imported(package: str) -> set[str]:
    """Top-level names of every module the package's source imports."""
    found: set[str] = set()
    for path in (SRC / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                found.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize(
    ("package", "forbidden"),
    [
        ("mediawatch_alerter", {"mediawatch_notifier", "mediawatch_alerting_demo"}),
        ("mediawatch_notifier", {"mediawatch_alerter", "mediawatch_alerting_demo"}),
    ],
)
def test_a_process_package_imports_neither_the_other_nor_the_demo(
    package: str, forbidden: set[str]
) -> None:
    assert "mediawatch_common" in imported(package)
    assert imported(package) & forbidden == set()


def test_every_folder_is_a_package() -> None:
    folders = [p for p in SRC.rglob("*") if p.is_dir() and p.name != "__pycache__"]
    assert folders
    assert [f for f in folders if not (f / "__init__.py").exists()] == []

"""The aggregator's packages depend one way: windowing is pure, reading does not run Faust."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import mediawatch_aggregator

pytestmark = pytest.mark.unit

PACKAGE = Path(mediawatch_aggregator.__file__).parent


def imported(package: str) -> set[str]:
    """Top modules and aggregator subpackages imported anywhere in ``package``."""
    found = set()
    for path in (PACKAGE / package).glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                parts = name.split(".")
                found.add(".".join(parts[:2]) if parts[0] == "mediawatch_aggregator" else parts[0])
    return found


def test_windowing_imports_neither_faust_nor_kafka_nor_the_other_packages() -> None:
    found = imported("windowing")
    assert "mediawatch_aggregator.windowing" in found  # the walk saw the package's own imports
    forbidden = {
        "faust",
        "mode",
        "aiokafka",
        "confluent_kafka",
        "mediawatch_aggregator.reading",
        "mediawatch_aggregator.runtime",
    }
    assert found & forbidden == set()


def test_reading_does_not_import_faust_or_the_runtime() -> None:
    found = imported("reading")
    assert "aiokafka" in found
    assert found & {"faust", "mode", "mediawatch_aggregator.runtime"} == set()

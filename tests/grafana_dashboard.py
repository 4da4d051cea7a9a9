"""The Grafana dashboard of infra/grafana, read as the tests need it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

GRAFANA = Path(__file__).resolve().parents[1] / "infra" / "grafana"
DASHBOARD = GRAFANA / "dashboards" / "mediawatch.json"


def panels() -> list[dict[str, Any]]:
    """Every panel but the rows."""
    return [p for p in json.loads(DASHBOARD.read_text())["panels"] if p["type"] != "row"]


def queries(kind: str) -> list[tuple[str, str]]:
    """(panel title, query) of every target of the dashboard on datasources of ``kind``
    (``prometheus`` or ``postgres``)."""
    found = []
    for panel in panels():
        for target in panel["targets"]:
            if target["datasource"]["type"] == kind:
                found.append((panel["title"], target.get("expr") or target["rawSql"]))
    return found

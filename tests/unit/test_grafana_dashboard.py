"""The Grafana files of infra/grafana: the dashboard only uses the provisioned datasources."""

from __future__ import annotations

import json
import re

import pytest
import yaml

from tests.grafana_dashboard import DASHBOARD, GRAFANA, panels, queries

pytestmark = pytest.mark.unit


def test_every_panel_reads_a_provisioned_datasource() -> None:
    provisioned = yaml.safe_load((GRAFANA / "provisioning/datasources/mediawatch.yaml").read_text())
    uids = {(d["type"], d["uid"]) for d in provisioned["datasources"]}
    for panel in panels():
        for target in panel["targets"]:
            ds = target["datasource"]
            assert (ds["type"], ds["uid"]) in uids, panel["title"]
            assert (target.get("expr") or target.get("rawSql", "")).strip(), panel["title"]


def test_panels_have_unique_ids_and_titles() -> None:
    panels = json.loads(DASHBOARD.read_text())["panels"]
    assert len({p["id"] for p in panels}) == len(panels)
    assert len({p["title"] for p in panels}) == len(panels)


def test_the_dashboard_shows_what_our_own_dashboard_shows() -> None:
    promql = " ".join(q for _, q in queries("prometheus"))
    sql = " ".join(q for _, q in queries("postgres"))
    for series in (
        "stage:mediawatch_stage_errors:ratio_rate5m",
        "stage:mediawatch_stage_duration_seconds_count:rate5m",
        "stage:mediawatch_stage_duration_seconds:p95_rate5m",
        "group_topic:mediawatch_consumer_lag_messages:sum",
    ):
        assert series in promql
    for column in ("cpu_percent", "memory_percent", "disk_percent", "resolved_at IS NULL"):
        assert column in sql


def test_sql_uses_only_the_time_filter_macro() -> None:
    for title, sql in queries("postgres"):
        assert set(re.findall(r"\$__\w+", sql)) <= {"$__timeFilter"}, title

from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry

from mediawatch_common.metrics import PartitionLag
from mediawatch_projector.metrics import ProjectorMetrics
from mediawatch_projector.worker_processes import member_environment

pytestmark = pytest.mark.unit


def test_batches_and_positions_behind() -> None:
    registry = CollectorRegistry()
    metrics = ProjectorMetrics(registry)
    metrics.written(500, 0.04)
    metrics.written(0, 0.002)
    value = registry.get_sample_value
    assert value("mediawatch_projector_events_projected_total") == 500
    assert value("mediawatch_projector_batch_write_seconds_count") == 2
    assert value("mediawatch_projector_batch_write_seconds_bucket", {"le": "0.005"}) == 1
    lags = [PartitionLag("g", "pipeline", 0, 7), PartitionLag("g", "alerts", 1, 3)]
    metrics.count_behind(lambda: lags)
    assert value("mediawatch_projector_positions_behind") == 10
    lags.clear()
    assert value("mediawatch_projector_positions_behind") == 0


def test_members_leave_metrics_port_to_their_parent() -> None:
    assert member_environment()["METRICS_PORT"] == "0"

"""Prometheus metrics shared by every service: the exposition server, consumer lag, dead letters.

``mediawatch run SERVICE`` starts :func:`serve_metrics` on the service's port (``METRICS_PORT``,
defaults in :data:`DEFAULT_PORTS`); each service declares its own metrics in a ``metrics``
module of its package and registers them on the default registry, beside the process and
Python collectors that ``prometheus_client`` registers there.
"""

from __future__ import annotations

from mediawatch_common.metrics.deadletters import DEAD_LETTERS, DeadLetterCounter, reason_label
from mediawatch_common.metrics.histogram import LabelledHistogram
from mediawatch_common.metrics.lag import (
    CONSUMER_LAG,
    Assignment,
    ConsumerLag,
    LagSource,
    LagTracker,
    PartitionLag,
    kafka_consumer_lag,
)
from mediawatch_common.metrics.server import (
    DEFAULT_PORTS,
    METRICS_SERVER,
    MetricsPortError,
    MetricsServer,
    metrics_port,
    serve_metrics,
    serve_metrics_on,
)

__all__ = [
    "CONSUMER_LAG",
    "DEAD_LETTERS",
    "DEFAULT_PORTS",
    "METRICS_SERVER",
    "Assignment",
    "ConsumerLag",
    "DeadLetterCounter",
    "LabelledHistogram",
    "LagSource",
    "LagTracker",
    "MetricsPortError",
    "MetricsServer",
    "PartitionLag",
    "kafka_consumer_lag",
    "metrics_port",
    "reason_label",
    "serve_metrics",
    "serve_metrics_on",
]

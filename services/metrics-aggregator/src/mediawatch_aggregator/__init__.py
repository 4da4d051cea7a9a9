"""Metrics aggregator: windowed error rates, counts and duration percentiles per stage.

``reading`` turns the pipeline topic into rows per stage, ``windowing`` counts them into
windows (pure), ``runtime`` runs both on Faust; ``results_reader`` reads the results back.
"""

from __future__ import annotations

from mediawatch_aggregator.settings import AggregatorSettings, load_aggregator_settings
from mediawatch_aggregator.windowing import (
    AggregationConfig,
    Applied,
    Closing,
    LogSketch,
    Outcomes,
    Pane,
    Row,
    StageAggregator,
    WindowResult,
    WindowSpec,
    pack_rows,
    pane_seconds,
    parse_specs,
    unpack_rows,
)

__all__ = [
    "AggregationConfig",
    "AggregatorSettings",
    "Applied",
    "Closing",
    "LogSketch",
    "Outcomes",
    "Pane",
    "Row",
    "StageAggregator",
    "WindowResult",
    "WindowSpec",
    "load_aggregator_settings",
    "pack_rows",
    "pane_seconds",
    "parse_specs",
    "unpack_rows",
]

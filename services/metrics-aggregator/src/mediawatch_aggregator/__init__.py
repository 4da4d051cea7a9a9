"""Metrics aggregator: windowed error rates, counts and duration percentiles per stage."""

from __future__ import annotations

from mediawatch_aggregator.aggregation import (
    AggregationConfig,
    Applied,
    Closing,
    StageAggregator,
    WindowResult,
)
from mediawatch_aggregator.pane import Outcomes, Pane
from mediawatch_aggregator.rows import Row, pack_rows, unpack_rows
from mediawatch_aggregator.settings import AggregatorSettings, load_aggregator_settings
from mediawatch_aggregator.sketch import LogSketch
from mediawatch_aggregator.windows import WindowSpec, pane_seconds, parse_specs

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

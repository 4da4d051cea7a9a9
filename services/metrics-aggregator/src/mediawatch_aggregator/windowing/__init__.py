"""Pure window maths: panes, window specs, sliding, the quantile sketch, the watermark, closing.

No Faust and no Kafka here: time comes in as an argument and state lives in a mapping, so
every module is tested without a broker.
"""

from __future__ import annotations

from mediawatch_aggregator.windowing.closing_pass import ClosingPass, collect, finish
from mediawatch_aggregator.windowing.completion_rows import (
    Row,
    RowValues,
    pack_progress,
    pack_rows,
    unpack,
    unpack_rows,
)
from mediawatch_aggregator.windowing.panes import Outcomes, Pane
from mediawatch_aggregator.windowing.quantile_sketch import LogSketch
from mediawatch_aggregator.windowing.stage_aggregator import (
    AggregationConfig,
    Applied,
    Closing,
    StageAggregator,
    WindowResult,
)
from mediawatch_aggregator.windowing.stage_state import StageMeta, StateValue
from mediawatch_aggregator.windowing.watermark import Progress, Watermark
from mediawatch_aggregator.windowing.window_records import to_event, window_record
from mediawatch_aggregator.windowing.window_specs import (
    MICROS,
    WindowSpec,
    pane_seconds,
    parse_specs,
)

__all__ = [
    "MICROS",
    "AggregationConfig",
    "Applied",
    "Closing",
    "ClosingPass",
    "LogSketch",
    "Outcomes",
    "Pane",
    "Progress",
    "Row",
    "RowValues",
    "StageAggregator",
    "StageMeta",
    "StateValue",
    "Watermark",
    "WindowResult",
    "WindowSpec",
    "collect",
    "finish",
    "pack_progress",
    "pack_rows",
    "pane_seconds",
    "parse_specs",
    "to_event",
    "unpack",
    "unpack_rows",
    "window_record",
]

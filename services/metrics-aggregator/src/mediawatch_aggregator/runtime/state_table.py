"""The Faust table holding panes and meta records, partitioned by stage.

Faust sends a table change to the changelog partition of the event being processed. Our
keys say their stage, so the partition is computed from the key instead: the same stage
always lives in the same changelog partition, which the timer can update outside a stream.
"""

from __future__ import annotations

from typing import Any

import faust
from faust.serializers import codecs

from mediawatch_aggregator.windowing.stage_state import dumps, loads, stage_of
from mediawatch_common.events import Stage

CODEC = "mediawatch-aggregator-state"
_STAGE_INDEX = {stage.value: index for index, stage in enumerate(Stage)}


def stage_partition(stage: str, partitions: int) -> int:
    """The internal-topic and changelog partition that owns ``stage``."""
    return _STAGE_INDEX[stage] % partitions


class StateCodec(codecs.Codec):
    """Faust codec of pane and meta values (JSON)."""

    def _dumps(self, obj: Any) -> bytes:
        return dumps(obj)

    def _loads(self, s: bytes) -> Any:
        return loads(s)


codecs.register(CODEC, StateCodec())


class StageTable(faust.Table[str, Any]):
    """A table whose changelog partition is the partition of the key's stage."""

    def partition_for_key(self, key: Any) -> int:
        """The partition of the stage named at the start of ``key``."""
        return stage_partition(stage_of(str(key)), self.partitions or 1)


def state_table(app: faust.App, name: str, partitions: int) -> StageTable:
    """Declares the state table on ``app``."""
    table = StageTable(
        app,
        name=name,
        default=None,
        beacon=app.tables.beacon,
        partitions=partitions,
        help="Aggregator panes and stage meta records, by stage.",
    )
    # Faust derives serializers from key/value types; set ours before the changelog topic
    # (created lazily with these serializers) exists.
    table.key_serializer = "json"
    table.value_serializer = CODEC
    app.tables.add(table)
    return table

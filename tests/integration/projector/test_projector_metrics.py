"""The projector's metrics follow what its transactions commit."""

from __future__ import annotations

import functools
from datetime import UTC, datetime

import pytest
from prometheus_client import CollectorRegistry

from mediawatch_common.events import Stage, StageStarted, default_codec, encode_event
from mediawatch_common.kafka import Record
from mediawatch_projector import Projection
from mediawatch_projector.message_decoding import Decoded, make_decoder
from mediawatch_projector.metrics import ProjectorMetrics
from mediawatch_store import connect
from tests.integration.api.samples import WHO

pytestmark = pytest.mark.integration


def test_written_batches_count_and_move_the_stored_positions(
    database_url: str, schema: str
) -> None:
    decode = make_decoder(default_codec())
    registry = CollectorRegistry()
    projection = Projection(
        functools.partial(connect, database_url, schema), "metrics-test", ProjectorMetrics(registry)
    )
    offset = 0
    for size in (3, 2):
        records: list[Record[Decoded]] = []
        for _ in range(size):
            event = StageStarted(producer=WHO, session_id=f"s{offset}", user_id="u",
                                 stage=Stage.UPLOAD, event_time=datetime.now(UTC))  # fmt: skip
            records.append(Record("pipeline", 0, offset, None, 0, decode(encode_event(event))))
            offset += 1
        projection.handle(records)
    projection.flush()
    assert projection.stored == {("pipeline", 0): 5}
    projection.handle(records)  # read again after a restart: nothing new is written
    projection.close()
    value = registry.get_sample_value
    assert value("mediawatch_projector_events_projected_total") == 5
    assert value("mediawatch_projector_batch_write_seconds_count") == 3
    assert projection.stored == {("pipeline", 0): 5}

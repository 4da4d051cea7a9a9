"""The delivery events' ``sink_type`` doc names every kind of sink the notifier delivers to."""

from __future__ import annotations

import json
import typing
from pathlib import Path

import pytest

from mediawatch_notifier.settings import SinkType

pytestmark = pytest.mark.unit

SCHEMAS = Path(__file__).resolve().parents[3] / "schemas" / "avro"
DELIVERY_EVENTS = ("AlertDelivered", "AlertDeliveryFailed")


@pytest.mark.parametrize("event", DELIVERY_EVENTS)
def test_sink_type_doc_lists_every_sink_type(event: str) -> None:
    schema = json.loads((SCHEMAS / f"io.mediawatch.events.{event}.avsc").read_text())
    (field,) = [f for f in schema["fields"] if f["name"] == "sink_type"]

    missing = [kind for kind in typing.get_args(SinkType) if kind not in field["doc"]]

    assert not missing, f"{event}.sink_type doc lacks {missing}: {field['doc']!r}"

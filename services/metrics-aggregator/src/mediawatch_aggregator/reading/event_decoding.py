"""Reading pipeline events into rows: only the fields the windows need.

Events other than ``StageCompleted`` are skipped by their fingerprint; a ``StageCompleted`` is
read by a reader compiled from its writer schema, which builds five fields and steps over the
others (:func:`~mediawatch_common.avro.compiled.compile_fields_reader`).
"""

from __future__ import annotations

import json
from typing import Any, cast

from fastavro import parse_schema

from mediawatch_aggregator.windowing.completion_rows import RowValues
from mediawatch_common.avro import HEADER_SIZE, DecodeError, SchemaRegistry
from mediawatch_common.avro.compiled import FieldsReader, compile_fields_reader
from mediawatch_common.avro.framing import unframe
from mediawatch_common.events import Stage

COMPLETED = "StageCompleted"
STAGES = frozenset(stage.value for stage in Stage)
WANTED = ("stage", "event_time", "success", "error_code", "duration_seconds")
"""The StageCompleted fields the windows need, in the order the compiled reader returns them."""


class RowDecoder:
    """Turns raw pipeline messages into (stage, row), or None for events it does not count."""

    def __init__(self, registry: SchemaRegistry) -> None:
        """Indexes the writer schemas of every known event version by fingerprint."""
        self._completed: dict[bytes, FieldsReader] = {}
        self._others: set[bytes] = set()
        for name in registry.names:
            for version in registry.versions(name):
                if name == COMPLETED:
                    canonical = cast(
                        dict[str, Any], parse_schema(json.loads(version.canonical_form))
                    )
                    self._completed[version.fingerprint] = compile_fields_reader(canonical, WANTED)
                else:
                    self._others.add(version.fingerprint)

    def decode(
        self, value: bytes | None, partition: int, offset: int
    ) -> tuple[str, RowValues] | None:
        """Reads one message.

        Returns:
            (stage symbol, row values in
            :class:`~mediawatch_aggregator.windowing.completion_rows.Row`'s order) for a
            StageCompleted; None for another known event.

        Raises:
            DecodeError: The message is not a readable event of the contract.
        """
        data = value or b""
        fingerprint, _ = unframe(data)
        read = self._completed.get(fingerprint)
        if read is None:
            if fingerprint in self._others:
                return None
            raise DecodeError("unknown_fingerprint", fingerprint.hex())
        stage, time, success, code, duration = read(data, HEADER_SIZE)
        if stage not in STAGES:
            raise DecodeError("invalid_body", f"{COMPLETED}: unknown stage {stage!r}")
        return stage, (partition, offset, time, success, code, duration)

"""The demo's synthetic sessions and its Kafka round trip."""

from __future__ import annotations

from mediawatch_common.demo.roundtrip import RoundTrip, round_trip
from mediawatch_common.demo.synthetic import StageOutcome, synthetic_session

__all__ = ["RoundTrip", "StageOutcome", "round_trip", "synthetic_session"]

"""Each module measures one figure; `ALL` keeps the report's order."""

from __future__ import annotations

from bench.figures.consume import consume_decode
from bench.figures.produce import produce_encode

ALL = [produce_encode, consume_decode]

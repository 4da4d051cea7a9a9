"""Each module measures one figure (or a few rows); `ALL` keeps the report's order."""

from __future__ import annotations

from bench.figures.aggregator import aggregator_throughput
from bench.figures.api import api_requests
from bench.figures.client import client_reporting
from bench.figures.consume import consume_decode
from bench.figures.health import health_check_cpu
from bench.figures.ingest import http_ingest
from bench.figures.latency import event_to_chat
from bench.figures.logs import log_shipping
from bench.figures.overhead import monitoring_overhead
from bench.figures.produce import produce_encode
from bench.figures.projector import projector_throughput
from bench.figures.rebuild import rebuild_events
from bench.figures.scale import volume_scaling
from bench.figures.scrape import scrape_cpu
from bench.figures.transcoder_concurrency import transcoder_concurrency
from bench.model import FigureFn

ALL: list[FigureFn] = [
    produce_encode,
    consume_decode,
    aggregator_throughput,
    projector_throughput,
    event_to_chat,
    api_requests,
    rebuild_events,
    monitoring_overhead,
    log_shipping,
    health_check_cpu,
    client_reporting,
    http_ingest,
    volume_scaling,
    scrape_cpu,
    transcoder_concurrency,
]

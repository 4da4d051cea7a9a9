"""The projector's processes answer one scrape: every sample labelled with its process."""

from __future__ import annotations

import socket

import pytest
from prometheus_client import CollectorRegistry, Counter, Gauge
from prometheus_client.parser import text_string_to_metric_families

from mediawatch_common.metrics import serve_metrics_on
from mediawatch_common.metrics.exposition import TextExposition
from mediawatch_projector.member_metrics import (
    ProcessesExposition,
    labelled,
    member_socket,
    merge,
    share_metrics,
)
from mediawatch_projector.metrics import ProjectorMetrics

pytestmark = pytest.mark.unit


def _samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_a_sample_gets_the_process_label_first() -> None:
    assert labelled("a_total 3.0", "2") == 'a_total{process="2"} 3.0'
    assert labelled('a{b="x y",c="{"} 1.0', "1") == 'a{process="1",b="x y",c="{"} 1.0'
    assert labelled("a{} 1.0 1700000000000", "3") == 'a{process="3"} 1.0 1700000000000'


def _registry(projected: int, behind: int) -> CollectorRegistry:
    registry = CollectorRegistry()
    metrics = ProjectorMetrics(registry)
    metrics.written(projected, 0.02)
    metrics.behind.set(behind)
    Gauge("lag", "Lag.", ["partition"], registry=registry).labels("0").set(behind)
    return registry


def test_merged_families_keep_each_process_count_and_parse() -> None:
    one = TextExposition(_registry(70, 1)).render().decode()
    two = TextExposition(_registry(40, 5)).render().decode()
    extra = "# HELP only_two Only in two.\n# TYPE only_two gauge\nonly_two 1.0\n"
    text = merge([("1", one), ("2", two + extra)])
    assert text.count("# TYPE mediawatch_projector_events_projected_total counter") == 1
    samples = _samples(text)  # the parser refuses a family split in two or typed twice
    projected = "mediawatch_projector_events_projected_total"
    assert samples[(projected, (("process", "1"),))] == 70
    assert samples[(projected, (("process", "2"),))] == 40
    count = "mediawatch_projector_batch_write_seconds_count"
    assert samples[(count, (("process", "2"),))] == 1
    assert samples[("lag", (("partition", "0"), ("process", "2")))] == 5
    assert samples[("only_two", (("process", "2"),))] == 1
    assert not [key for key in samples if "process" not in dict(key[1])]


def test_a_scrape_reads_every_member_and_says_which_did_not_answer() -> None:
    member = CollectorRegistry()
    Counter("mediawatch_projector_events_projected", "Events.", registry=member).inc(9)
    server = serve_metrics_on(member_socket(), member)
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))  # bound, never listening: the connection is refused
        gone = int(closed.getsockname()[1])
        own = TextExposition(_registry(3, 0)).render
        exposition = ProcessesExposition(own, [server.port, gone], timeout=2.0)
        try:
            samples = _samples(exposition.render().decode())
        finally:
            server.close()
    projected = "mediawatch_projector_events_projected_total"
    assert samples[(projected, (("process", "1"),))] == 3
    assert samples[(projected, (("process", "2"),))] == 9
    assert (projected, (("process", "3"),)) not in samples
    up = "mediawatch_projector_process_up"
    assert [samples[(up, (("process", p),))] for p in "123"] == [1, 1, 0]


def test_one_process_or_no_metrics_server_needs_no_member_sockets() -> None:
    assert share_metrics(None, 3) == []  # METRICS_PORT=0: no member serves either

from __future__ import annotations

import socket
import urllib.request

import pytest
from prometheus_client import CollectorRegistry, Counter

from mediawatch_common.metrics import (
    ConsumerLag,
    DeadLetterCounter,
    MetricsPortError,
    PartitionLag,
    metrics_port,
    reason_label,
    serve_metrics,
)
from mediawatch_common.settings import MetricsSettings, SettingsError, load_settings

pytestmark = pytest.mark.unit


def test_each_service_has_its_own_default_port() -> None:
    unset = load_settings({}).metrics
    expected = {
        "transcoder": 9401,
        "aggregator": 9402,
        "alerter": 9403,
        "notifier": 9404,
        "projector": 9405,
        "health": 9406,
    }
    assert {service: metrics_port(service, unset) for service in expected} == expected
    assert unset.host == "127.0.0.1"
    assert metrics_port("api", unset) == 0


def test_metrics_port_overrides_and_zero_disables() -> None:
    assert metrics_port("alerter", load_settings({"METRICS_PORT": "9999"}).metrics) == 9999
    disabled = load_settings({"METRICS_PORT": "0"}).metrics
    assert metrics_port("alerter", disabled) == 0
    assert serve_metrics("alerter", disabled) is None


def test_a_bad_port_names_the_variable() -> None:
    with pytest.raises(SettingsError, match="METRICS_PORT='70000'"):
        load_settings({"METRICS_PORT": "70000"})


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_server_exposes_the_registry() -> None:
    registry = CollectorRegistry()
    Counter("mediawatch_probe", "A probe.", registry=registry).inc(3)
    server = serve_metrics("alerter", MetricsSettings(port=_free_port()), registry)
    assert server is not None
    try:
        url = f"http://127.0.0.1:{server.port}/metrics"
        with urllib.request.urlopen(url, timeout=5) as response:
            body = response.read().decode()
    finally:
        server.close()
    assert "mediawatch_probe_total 3.0" in body


def test_a_taken_port_is_a_clear_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = int(taken.getsockname()[1])
        with pytest.raises(MetricsPortError) as caught:
            serve_metrics("notifier", MetricsSettings(port=port))
    message = str(caught.value)
    assert f"METRICS_PORT={port}" in message
    assert "already in use" in message


@pytest.mark.parametrize(
    ("reason", "label"),
    [
        ("AvroDecodeError: bad marker at offset 12", "AvroDecodeError"),
        ("fastavro.SchemaResolutionError: field x", "SchemaResolutionError"),
        ("no type here", "other"),
        ("", "other"),
    ],
)
def test_reason_labels_are_the_error_type(reason: str, label: str) -> None:
    assert reason_label(reason) == label


def test_dead_letters_count_by_topic_and_error_type() -> None:
    registry = CollectorRegistry()
    counter = DeadLetterCounter(registry)
    counter.count("mw.pipeline", "ValueError: offset 1")
    counter.count("mw.pipeline", "ValueError: offset 2")
    counter.count("mw.alerts", "KeyError: 'x'")
    value = registry.get_sample_value
    labels = {"topic": "mw.pipeline", "reason": "ValueError"}
    assert value("mediawatch_dead_letters_total", labels) == 2
    assert value("mediawatch_dead_letters_total", {"topic": "mw.alerts", "reason": "KeyError"}) == 1


def test_lag_is_collected_from_every_source_at_scrape_time() -> None:
    registry = CollectorRegistry()
    lag = ConsumerLag()
    registry.register(lag)
    positions = {"p": 5}
    lag.track(lambda: [PartitionLag("g1", "t", 0, positions["p"])])

    def closed() -> list[PartitionLag]:
        raise RuntimeError("Consumer closed")

    lag.track(closed)
    untrack = lag.track(lambda: [PartitionLag("g2", "t", 1, 7)])
    labels = {"group": "g1", "topic": "t", "partition": "0"}
    assert registry.get_sample_value("mediawatch_consumer_lag_messages", labels) == 5
    positions["p"] = 0
    assert registry.get_sample_value("mediawatch_consumer_lag_messages", labels) == 0
    untrack()
    gone = {"group": "g2", "topic": "t", "partition": "1"}
    assert registry.get_sample_value("mediawatch_consumer_lag_messages", gone) is None

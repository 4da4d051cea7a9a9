"""The log shipper: what it ships, what it never ships, and that callers never wait."""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from mediawatch_common.events import Producer
from mediawatch_common.logs import LogShipper, configure_logging, log_event
from mediawatch_common.settings import load_settings

pytestmark = pytest.mark.unit

WHO = Producer(service="transcoder", host="worker-1", pid=42)


class ListSink:
    """Keeps the events it is given; ``gate`` holds every send until it is set."""

    def __init__(self, gate: threading.Event | None = None) -> None:
        self.events: list[object] = []
        self.gate = gate

    def send(self, record: logging.LogRecord, message: str) -> bool:
        if self.gate is not None:
            self.gate.wait(10)
        self.events.append(log_event(record, message, WHO))
        return True

    def poll(self) -> int:
        return 0

    def flush(self, timeout: float) -> int:
        return 0


def wait_for(condition: object, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)


@pytest.fixture
def logger() -> Iterator[logging.Logger]:
    named = logging.getLogger(f"mediawatch_transcoder.test{time.monotonic_ns()}")
    named.setLevel(logging.DEBUG)
    named.propagate = False
    yield named
    for handler in list(named.handlers):
        named.removeHandler(handler)
        handler.close()


def test_records_become_events_with_a_flat_extra(logger: logging.Logger) -> None:
    sink = ListSink()
    logger.addHandler(LogShipper(sink, logging.INFO))
    logger.debug("below the shipping level")
    try:
        raise ValueError("bad clip")
    except ValueError:
        logger.error(
            "stage %s failed",
            "merging",
            exc_info=True,
            extra={"session_id": "s-1", "sizes": [1, 2], "ffmpeg": {"rc": 1}, "token": "t0p"},
        )
    wait_for(lambda: len(sink.events) == 1)
    (event,) = sink.events
    assert event.level == "ERROR"  # type: ignore[attr-defined]
    assert event.message == "stage merging failed"  # type: ignore[attr-defined]
    extra = dict(event.extra)  # type: ignore[attr-defined]
    assert extra.pop("exception").endswith("ValueError: bad clip")
    assert extra == {"session_id": "s-1", "sizes": "[1, 2]", "ffmpeg.rc": 1, "token": "***"}


def test_a_full_queue_drops_and_reports_without_waiting(
    logger: logging.Logger, caplog: pytest.LogCaptureFixture
) -> None:
    gate = threading.Event()
    sink = ListSink(gate)
    shipper = LogShipper(sink, logging.INFO, capacity=10, report_every=0.05)
    logger.addHandler(shipper)
    began = time.monotonic()
    for n in range(1000):
        logger.info("record %d", n)
    spent = time.monotonic() - began
    assert shipper.dropped >= 1000 - 10 - 1
    assert spent < 5.0, "callers waited on a blocked sink (it holds each send for 10 s)"
    gate.set()
    with caplog.at_level(logging.WARNING, "mediawatch_common.logs"):
        wait_for(lambda: any(r.getMessage().startswith("log records not") for r in caplog.records))
    report = next(r for r in caplog.records if r.getMessage().startswith("log records not"))
    assert report.dropped == shipper.dropped  # type: ignore[attr-defined]
    assert all(e.logger == logger.name for e in sink.events)  # type: ignore[attr-defined]


def test_the_shipping_machinery_is_never_shipped(logger: logging.Logger) -> None:
    sink = ListSink()
    shipper = LogShipper(sink, logging.DEBUG)
    root = logging.getLogger("mediawatch_common.logs.rdkafka")
    root.addHandler(shipper)
    try:
        root.warning("connection refused")
        logging.getLogger("mediawatch_common.logs.shipping").warning("not shipped")
        logger.addHandler(shipper)
        logger.info("shipped")
        wait_for(lambda: len(sink.events) == 1)
    finally:
        root.removeHandler(shipper)
    assert [e.message for e in sink.events] == ["shipped"]  # type: ignore[attr-defined]


def test_close_ships_what_is_queued(logger: logging.Logger) -> None:
    sink = ListSink()
    shipper = LogShipper(sink, logging.INFO)
    logger.addHandler(shipper)
    for n in range(500):
        logger.info("record %d", n)
    shipper.close()
    assert len(sink.events) == 500
    logger.info("after close")
    assert shipper.dropped == 1


def test_each_process_claims_its_own_directory(log_dir: Path) -> None:
    settings = load_settings({"LOG_DIR": str(log_dir), "LOG_CONSOLE": "false"}).log
    held = log_dir / "transcoder" / ".lock"
    held.parent.mkdir()
    import fcntl

    with held.open("a") as other:  # another process's lock on transcoder/
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        try:
            assert configure_logging(settings, "transcoder") == log_dir / "transcoder-2"
        finally:
            for handler in list(logging.getLogger().handlers):
                logging.getLogger().removeHandler(handler)
                handler.close()
    assert configure_logging(settings, "transcoder") == log_dir / "transcoder"
    for handler in list(logging.getLogger().handlers):
        logging.getLogger().removeHandler(handler)
        handler.close()


def test_the_fast_encoder_writes_what_the_codec_writes() -> None:
    from mediawatch_common.events import decode_event, default_codec, encode_event
    from mediawatch_common.logs.encode import LogEncoder

    encoder = LogEncoder.create(default_codec())
    assert encoder is not None  # the current schema has the layout it writes
    record = logging.makeLogRecord(
        {"name": "mediawatch_transcoder.session", "levelno": 40, "levelname": "ERROR",
         "msg": "stage failed: ffmpeg exited 1 — “bad”", "session_id": "s-ü",
         "video_count": 3, "duration_seconds": 12.75, "success": False, "code": None,
         "big": 2**70, "nested": {"a": {"b": 1}}}
    )  # fmt: skip
    event = log_event(record, record.getMessage(), WHO)
    data = encoder.encode(event)
    assert data == encode_event(event, default_codec())
    assert decode_event(data) == event
    # Straight from the record: the same event but for its own id and emission time.
    direct = decode_event(
        encoder.encode_record(record, record.getMessage(), encoder.producer_bytes(WHO))
    )
    assert isinstance(direct, type(event))
    assert (
        dataclasses.replace(direct, event_id=event.event_id, event_time=event.event_time) == event
    )

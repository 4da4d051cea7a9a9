"""The notes on messages Kafka may have written without acknowledging them."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from mediawatch_client.readback import consumer_config
from mediawatch_client.unconfirmed import FILE_NAME, Unconfirmed, digest

pytestmark = pytest.mark.unit


def test_suspects_keep_the_earliest_time_of_each_partition(tmp_path: Path) -> None:
    notes = Unconfirmed(tmp_path / FILE_NAME)
    notes.suspect("t", 0, 2_000, b"a")
    notes.suspect("t", 0, 1_000, b"b")
    notes.suspect("t", 2, 3_000, b"c")
    assert notes.suspects[("t", 0)].since_ms == 1_000
    assert notes.suspects[("t", 0)].digests == {digest(b"a"), digest(b"b")}
    assert notes.suspects[("t", 2)].since_ms == 3_000


def test_the_notes_survive_a_restart(tmp_path: Path) -> None:
    notes = Unconfirmed(tmp_path / FILE_NAME)
    notes.suspect("t", 1, 5, b"a")
    notes.save()
    again = Unconfirmed(tmp_path / FILE_NAME)
    assert again.suspects.keys() == {("t", 1)}
    assert again.suspects[("t", 1)].digests == {digest(b"a")}

    again.settle({digest(b"a")})
    settled = Unconfirmed(tmp_path / FILE_NAME)
    assert not settled.suspects
    assert settled.written == {digest(b"a")}


def test_a_message_found_in_the_log_is_skipped_once(tmp_path: Path) -> None:
    notes = Unconfirmed(tmp_path / FILE_NAME)
    notes.settle({digest(b"a")})
    assert not notes.already_written(b"b")
    assert notes.already_written(b"a")
    assert not notes.already_written(b"a")


def test_an_empty_spool_removes_the_file(tmp_path: Path) -> None:
    notes = Unconfirmed(tmp_path / FILE_NAME)
    notes.settle({digest(b"a")})
    assert (tmp_path / FILE_NAME).exists()
    assert notes.already_written(b"a")
    notes.forget_written()
    assert not (tmp_path / FILE_NAME).exists()


def test_an_unreadable_file_warns_and_is_ignored(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / FILE_NAME).write_text('{"suspects": [{"topic": "t"}]}', encoding="utf-8")
    with caplog.at_level(logging.WARNING, "mediawatch_client"):
        notes = Unconfirmed(tmp_path / FILE_NAME)
    assert not notes.suspects
    assert not notes.written
    assert "unreadable" in caplog.text


def test_the_reader_keeps_only_the_producers_connection_settings() -> None:
    config = consumer_config(
        {
            "bootstrap.servers": "b:9092",
            "security.protocol": "SASL_SSL",
            "sasl.username": "u",
            "ssl.ca.location": "/ca.pem",
            "enable.idempotence": True,
            "acks": "all",
            "linger.ms": 5,
            "delivery.timeout.ms": 5000,
        }
    )
    assert config["bootstrap.servers"] == "b:9092"
    assert config["security.protocol"] == "SASL_SSL"
    assert config["sasl.username"] == "u"
    assert config["ssl.ca.location"] == "/ca.pem"
    assert not {"enable.idempotence", "acks", "linger.ms", "delivery.timeout.ms"} & config.keys()
    assert config["enable.auto.commit"] is False

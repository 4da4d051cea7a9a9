"""Structured JSON logging: four rotating files per process, records shipped to Kafka."""

from __future__ import annotations

from mediawatch_common.logs.directory import LogDirectoryError, claim_directory, held_directory
from mediawatch_common.logs.files import LOG_FILES, LogFile, configure_logging
from mediawatch_common.logs.formatter import JsonFormatter, record_extra, record_to_dict
from mediawatch_common.logs.kafka import KafkaSink, ship_logs
from mediawatch_common.logs.records import flatten, log_event
from mediawatch_common.logs.shipping import LogShipper, Sink

__all__ = [
    "LOG_FILES",
    "JsonFormatter",
    "KafkaSink",
    "LogDirectoryError",
    "LogFile",
    "LogShipper",
    "Sink",
    "claim_directory",
    "configure_logging",
    "flatten",
    "held_directory",
    "log_event",
    "record_extra",
    "record_to_dict",
    "ship_logs",
]

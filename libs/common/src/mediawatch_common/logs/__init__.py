"""Structured JSON logging into the monitoring guide's four rotating files."""

from __future__ import annotations

from mediawatch_common.logs.files import LOG_FILES, LogFile, configure_logging
from mediawatch_common.logs.formatter import JsonFormatter, record_to_dict

__all__ = ["LOG_FILES", "JsonFormatter", "LogFile", "configure_logging", "record_to_dict"]

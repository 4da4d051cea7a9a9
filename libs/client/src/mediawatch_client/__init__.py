"""Report a media pipeline's stages to Mediawatch.

``media_monitor`` is configured from the environment (``KAFKA_BOOTSTRAP_SERVERS``,
``KAFKA_TOPIC_PREFIX``, ``MEDIAWATCH_PRODUCER_NAME``, ``MEDIAWATCH_SPOOL_DIR``...) on first
use; build a :class:`MediaMonitor` to configure one explicitly.
"""

from __future__ import annotations

from typing import Any

from mediawatch_client.config import ClientConfig
from mediawatch_client.errors import error_code_for
from mediawatch_client.monitor import MediaMonitor
from mediawatch_client.outgoing import Flushed
from mediawatch_client.resources import HostSample
from mediawatch_client.stage_scope import StageScope
from mediawatch_client.vocabulary import AlertLevel, ErrorCode, ProcessingStage

__all__ = [
    "AlertLevel",
    "ClientConfig",
    "ErrorCode",
    "Flushed",
    "HostSample",
    "MediaMonitor",
    "ProcessingStage",
    "StageScope",
    "error_code_for",
    "media_monitor",
]

_default: MediaMonitor | None = None


def __getattr__(name: str) -> Any:
    # ``media_monitor`` is built on first access, so importing the package reads nothing.
    global _default
    if name == "media_monitor":
        if _default is None:
            _default = MediaMonitor()
        return _default
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

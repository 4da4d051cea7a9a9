"""Dead letters: read them back from the dead-letter topic, select them, send them back."""

from __future__ import annotations

from mediawatch_common.deadletters.letters import (
    REDRIVEN_AT,
    REDRIVEN_FROM,
    DeadLetter,
    from_message,
    header_map,
    reason_class,
)
from mediawatch_common.deadletters.reading import DeadLetterLog, fold
from mediawatch_common.deadletters.redrive import Choice, choose, redrive, redriven_headers
from mediawatch_common.deadletters.select import DeadLetterFilter, parse_position

__all__ = [
    "REDRIVEN_AT",
    "REDRIVEN_FROM",
    "Choice",
    "DeadLetter",
    "DeadLetterFilter",
    "DeadLetterLog",
    "choose",
    "fold",
    "from_message",
    "header_map",
    "parse_position",
    "reason_class",
    "redrive",
    "redriven_headers",
]

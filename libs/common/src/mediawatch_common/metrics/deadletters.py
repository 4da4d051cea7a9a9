"""``mediawatch_dead_letters_total``: dead letters by origin topic and error type."""

from __future__ import annotations

import re

from prometheus_client import REGISTRY, CollectorRegistry, Counter

_ERROR_TYPE = re.compile(r"^([A-Za-z_][A-Za-z0-9_.]{0,63}):")


def reason_label(reason: str) -> str:
    """The bounded part of a dead letter's reason: the error type that heads it.

    Reasons read ``"AvroDecodeError: bad marker ..."``; the text after the type holds offsets
    and values, which would make one series per message.
    """
    found = _ERROR_TYPE.match(reason)
    return found.group(1).rsplit(".", 1)[-1] if found else "other"


class DeadLetterCounter:
    """Counts dead letters by the topic they came from and the type of error that sent them."""

    def __init__(self, registry: CollectorRegistry | None = REGISTRY) -> None:
        self.counter = Counter(
            "mediawatch_dead_letters",
            "Messages copied to the dead-letter topic, by origin topic and error type.",
            ["topic", "reason"],
            registry=registry,
        )

    def count(self, topic: str, reason: str) -> None:
        """One more dead letter from ``topic`` for ``reason`` (the full reason text)."""
        self.counter.labels(topic, reason_label(reason)).inc()


DEAD_LETTERS = DeadLetterCounter()
"""The process's counter, on the default registry."""

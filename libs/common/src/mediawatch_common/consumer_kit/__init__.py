"""The consumer kit: a new consumer is a topic list, the event types it wants and a handler.

``docs/adding-a-consumer.md`` shows a whole consumer built with it.
"""

from __future__ import annotations

from mediawatch_common.consumer_kit.consumer import Consumer, consumer_command, run_consumer

__all__ = ["Consumer", "consumer_command", "run_consumer"]

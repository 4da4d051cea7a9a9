"""The consumer kit: a new consumer is a topic list, the event types it wants and a handler.

Example::

    from mediawatch_common.events import StageCompleted
    from mediawatch_common.consumer_kit import Consumer, consumer_command

    def count_failures(event: StageCompleted) -> None:
        ...

    failures = Consumer(name="failure-count", topics=("pipeline",),
                        handlers={StageCompleted: count_failures}, start="earliest")
    command = consumer_command(failures)   # register as a `mediawatch.services` entry point
"""

from __future__ import annotations

from mediawatch_common.consumer_kit.consumer import Consumer, consumer_command, run_consumer

__all__ = ["Consumer", "consumer_command", "run_consumer"]

"""The ``dead_letters`` rows of one batch: each dead letter, and the re-drives that mark them."""

from __future__ import annotations

from collections.abc import Sequence

from mediawatch_common.deadletters import DeadLetter
from mediawatch_common.events import DeadLetterRedriven
from mediawatch_projector.bulk import Connection, Row

COLUMNS = (
    "topic",
    "partition",
    "offset",
    "origin_topic",
    "origin_partition",
    "origin_offset",
    "consumer_group",
    "reason",
    "reason_class",
    "failed_at",
)

_INSERT = (
    'INSERT INTO dead_letters (topic, partition, "offset", origin_topic, origin_partition, '
    "origin_offset, consumer_group, reason, reason_class, failed_at) "
    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING"
)


def dead_letter_row(letter: DeadLetter) -> Row:
    """A ``dead_letters`` row in :data:`COLUMNS` order."""
    return (
        letter.topic,
        letter.partition,
        letter.offset,
        letter.origin_topic,
        letter.origin_partition,
        letter.origin_offset,
        letter.consumer_group,
        letter.reason,
        letter.reason_class,
        letter.failed_at,
    )


def redrive_row(topic: str, event: DeadLetterRedriven) -> Row:
    """What marks one dead letter of ``topic`` re-driven: (time, topic, partition, offset)."""
    return (event.event_time, topic, event.deadletter_partition, event.deadletter_offset)


def write_dead_letters(conn: Connection, letters: Sequence[Row], redrives: Sequence[Row]) -> None:
    """Insert the batch's dead letters (a replayed one is kept once), then mark the re-driven
    ones (a re-drive always follows its dead letter in the log). Dead letters are rare:
    plain statements do."""
    with conn.cursor() as cur:
        if letters:
            cur.executemany(_INSERT, letters)
        if redrives:
            cur.executemany(
                "UPDATE dead_letters SET redriven_at = %s "
                'WHERE topic = %s AND partition = %s AND "offset" = %s',
                redrives,
            )

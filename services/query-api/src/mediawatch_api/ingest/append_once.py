"""Append a batch's events so that an ``event_id`` is produced once, whichever API process
receives it, and no event the answer calls accepted is missing from Kafka.

Each round of a request draws a new claim id and goes through these steps:

1. **Claim** the batch's pending ids in one statement, ``INSERT ... ON CONFLICT``, which
   returns only the ids this claim won: those no row held, and those whose claim was never
   confirmed and is older than the stale bound (taken over). Two processes racing on an id
   serialize on its primary key; one of them gets it.
2. **Produce** the won events, in batch order, and wait for each one's own outcome.
3. **Settle** in one statement: ids Kafka refused are deleted (released), ids without an
   answer move to a claim of their own that is never confirmed, and the claim is confirmed
   (``produced``), which makes every id it still holds produced.
4. Ids held by other claims: those produced are duplicates; the others are being appended by
   another request, so this one polls until they are produced, released (claimed in the next
   round) or stale (taken over), and answers 503 past its wait.

The answer is 202 only when every distinct id of the batch is produced. The orderings that
can go wrong:

- Kafka refuses or times out some events: they are released before the 503, so the client's
  retry, through any process, claims and appends them. One that timed out may in fact have
  been written; the retry then writes it a second time (a duplicate, not a loss).
- No answer from Kafka within the wait: those claims stay unconfirmed (the events may still
  land), the answer is 503, and a retry takes them over once stale.
- The process dies (or PostgreSQL fails) between claim and settle: the claim stays
  unconfirmed; a retry waits, then takes its ids over once stale and appends them. If the
  dead process had produced them, they are on the topic twice; never zero times.
- A process whose claim was taken over (it hung past the stale bound) may still confirm it;
  the ids now belong to the new claim, whose own outcome decides them.
- Each round uses a new claim, so ids won in a later round never count as produced through
  a claim an earlier round confirmed.
- PostgreSQL unreachable at the claim: nothing is produced and the answer is 503. Unreachable
  at the settle after Kafka acknowledged everything: the answer is 202 (the events are on
  the log); the claim stays unconfirmed, which only matters to a resend after it went stale.

``stale_seconds`` is twice the longest a live process holds a claim (Kafka's delivery
timeout, and a margin), so only the claim of a process that died or hung is taken over.
Rows are deleted after the retention: an id resent after that is appended again.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from mediawatch_api.ingest.claims import ClaimStore, ClaimStoreError
from mediawatch_common.events import Event

log = logging.getLogger(__name__)

Outgoing = tuple[str, str, Event]
"""One event to append: its topic, its key and the event."""

Deliver = Callable[[Sequence[Outgoing]], list[bool | None]]
"""Produce events in order; per event True (acknowledged), False (refused), None (no answer)."""


class NotAppendedError(RuntimeError):
    """Some events of the batch are not on the event log; the whole batch may be resent."""


@dataclass(frozen=True, slots=True)
class Appended:
    """Every distinct id of the batch (all on the event log), and those not appended by this
    request because an earlier one had, or because they came twice in the batch."""

    accepted: list[str]
    duplicates: list[str]


@dataclass(frozen=True)
class OnceAppender:
    """Appends batches through ``deliver`` with the claims in ``claims``; waits up to
    ``wait_seconds`` for ids another request is appending."""

    claims: ClaimStore
    deliver: Deliver
    wait_seconds: float
    poll_seconds: float = 0.05

    def append(self, events: Sequence[Outgoing]) -> Appended:
        """Append ``events`` once each.

        Raises:
            NotAppendedError: some events are not (known to be) on the event log.
            ClaimStoreError: PostgreSQL failed before anything was produced.
        """
        distinct, repeated = _distinct(events)
        pending = set(distinct)
        earlier: set[uuid.UUID] = set()
        deadline: float | None = None
        while pending:
            # A new claim each round: a claim confirmed in an earlier round must not make
            # ids won now look produced before they are.
            claim = uuid.uuid4()
            won = self.claims.claim(pending, claim)
            self._produce([distinct[i] for i in distinct if i in won], claim)
            held = pending - won
            produced = self.claims.produced(held) if held else set()
            earlier |= produced
            pending = held - produced
            if not pending:
                break
            deadline = deadline or time.monotonic() + self.wait_seconds
            if time.monotonic() >= deadline:
                raise NotAppendedError(f"{len(pending)} event(s) being appended by another request")
            time.sleep(self.poll_seconds)
        ids = [str(i) for i in distinct]
        return Appended(ids, [str(i) for i in distinct if i in earlier] + repeated)

    def _produce(self, events: list[Outgoing], claim: uuid.UUID) -> None:
        if not events:
            return
        outcomes = self.deliver(events)
        ids = [event.event_id for _, _, event in events]
        failed = [i for i, ok in zip(ids, outcomes, strict=True) if ok is False]
        unknown = [i for i, ok in zip(ids, outcomes, strict=True) if ok is None]
        try:
            self.claims.settle(claim, failed, unknown)
        except ClaimStoreError:
            if failed or unknown:
                raise
            # Every event is on Kafka: the answer says so. The claim stays unconfirmed, and
            # only a resend after it went stale would append them again.
            log.warning("ingest claim not confirmed", extra={"events": len(events)})
        if failed or unknown:
            raise NotAppendedError(f"{len(failed) + len(unknown)} event(s) not acknowledged")


def _distinct(events: Sequence[Outgoing]) -> tuple[dict[uuid.UUID, Outgoing], list[str]]:
    """The first event of each id, in batch order, and the ids of the repeats."""
    first: dict[uuid.UUID, Outgoing] = {}
    repeated: list[str] = []
    for item in events:
        event_id = item[2].event_id
        if event_id in first:
            repeated.append(str(event_id))
        else:
            first[event_id] = item
    return first, repeated

"""Deliver one notification to one sink: rate limit, POST, record, retry or give up."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from itertools import count
from typing import Any

import httpx

from mediawatch_common.events import AlertDelivered, AlertDeliveryFailed, AlertRaised, Producer
from mediawatch_common.wall_clock import Clock
from mediawatch_notifier.grouping import Notification
from mediawatch_notifier.overtaken import Overtaken
from mediawatch_notifier.payloads import request_for
from mediawatch_notifier.rate_limit import TokenBucket
from mediawatch_notifier.retry_policy import Decision, RetryPolicy
from mediawatch_notifier.routing import Sink
from mediawatch_notifier.url_safety import UnsafeUrlError, check_url, redact

log = logging.getLogger(__name__)

Record = AlertDelivered | AlertDeliveryFailed

WITHDRAWN = "not sent: its resolution was sent to this sink"
"""The error of the final record of firing alerts a resolution overtook (no request made)."""

PAUSE_STEP_SECONDS = 0.25
"""How often a delivery waiting to retry looks whether it still has anything to send."""


def _sleep(seconds: float) -> bool:
    time.sleep(seconds)
    return True


@dataclass(frozen=True, slots=True)
class Outcome:
    """How a delivery ended: delivered, given up, withdrawn, or interrupted by a stop (retry
    later)."""

    delivered: bool
    attempts: int
    stopped: bool = False
    withdrawn: bool = False
    """Nothing was left to send: the sink was sent the resolution of every alert listed."""


@dataclass(frozen=True, slots=True)
class _Response:
    status: int | None
    retry_after: str | None = None
    error: str | None = None
    refused: bool = False


@dataclass(slots=True)
class Deliverer:
    """Everything a delivery needs, injected (tests pass fake clocks and sleeps)."""

    client: httpx.Client
    policy: RetryPolicy
    producer: Producer
    record: Callable[[Record], None]
    clock: Clock
    timeout: float = 5.0
    timeouts: Mapping[str, float] = field(default_factory=dict)
    limits: dict[str, TokenBucket] = field(default_factory=dict)
    rate_per_minute: float = 30.0
    allow_link_local: bool = False
    dashboard_url: str | None = None
    sleep: Callable[[float], bool] = field(default=lambda seconds: _sleep(seconds))
    monotonic: Callable[[], float] = time.monotonic
    overtaken: Overtaken = field(default_factory=Overtaken)

    def deliver(self, n: Notification, sink: Sink) -> Outcome:
        """Try until delivered, a final failure, ``sleep`` reports a stop, or every alert
        left was overtaken by its resolution (see :mod:`~mediawatch_notifier.overtaken`)."""
        bucket = self.limits.setdefault(sink.name, TokenBucket(self.rate_per_minute))
        for attempt in count(1):
            waited = bucket.reserve(self.monotonic())
            if waited > 0 and not self.sleep(waited):
                return Outcome(False, attempt - 1, stopped=True)
            self.overtaken.await_landing(n, sink.name, self.timeouts.get(sink.name, self.timeout))
            sent, left_out = self.overtaken.attempt(n, sink.name)
            if left_out:
                self._withdraw(n, sink, left_out, attempt)
            if not sent.alert_ids:
                return Outcome(False, attempt - 1, withdrawn=True)
            try:
                decision = self._attempt(sent, sink, attempt, waited)
            finally:
                self.overtaken.landed(n, sink.name)
            if decision is None:
                return Outcome(True, attempt)
            if decision.final:
                return Outcome(False, attempt)
            if not self._pause(decision.delay or 0.0, n, sink):
                return Outcome(False, attempt, stopped=True)
        raise AssertionError("unreachable")

    def _attempt(self, n: Notification, sink: Sink, attempt: int, waited: float) -> Decision | None:
        """POST once and record it; None when delivered, else what the policy decided."""
        started = self.monotonic()
        response = self._post(sink, n)
        elapsed_ms = (self.monotonic() - started) * 1000
        common = self._common(n, sink, attempt, response.status, elapsed_ms)
        if response.status is not None and 200 <= response.status < 300:
            self.record(AlertDelivered(**common, rate_limited_ms=waited * 1000))
            return None
        decision = self.policy.decide(
            attempt, response.status, response.retry_after, self.clock.now()
        )
        final = decision.final or response.refused
        error = response.error or decision.reason
        self.record(
            AlertDeliveryFailed(
                **common,
                error=error,
                final=final,
                retry_in_seconds=None if final else decision.delay,
            )
        )
        log.warning(
            "delivery failed",
            extra={"sink": sink.name, "attempt": attempt, "error": error, "final": final},
        )
        return replace(decision, final=final)

    def _pause(self, seconds: float, n: Notification, sink: Sink) -> bool:
        """Wait ``seconds`` before the next attempt, cut short once nothing is left to send;
        False when ``sleep`` reports a stop."""
        left = seconds
        while left > 0 and not self.overtaken.spent(n, sink.name):
            step = min(left, PAUSE_STEP_SECONDS)
            if not self.sleep(step):
                return False
            left -= step
        return True

    def _withdraw(
        self, n: Notification, sink: Sink, alerts: tuple[AlertRaised, ...], attempt: int
    ) -> None:
        """Record the alerts no attempt will send ``sink`` firing: their resolution was
        dispatched to it."""
        gone = replace(n, firing=alerts, resolved=())
        self.record(
            AlertDeliveryFailed(
                **self._common(gone, sink, attempt, None, 0.0), error=WITHDRAWN, final=True
            )
        )

    def _post(self, sink: Sink, n: Notification) -> _Response:
        url = sink.url.get_secret_value()
        try:
            check_url(url, allow_link_local=self.allow_link_local)
        except UnsafeUrlError as exc:
            return _Response(None, error=str(exc), refused=True)
        now = int(self.clock.now().timestamp())
        body, headers = request_for(sink, n, now, self.dashboard_url)
        timeout = self.timeouts.get(sink.name, self.timeout)
        try:
            response = self.client.post(url, content=body, headers=headers, timeout=timeout)
        except httpx.TimeoutException:
            return _Response(None, error=f"timeout after {timeout}s")
        except httpx.HTTPError as exc:
            return _Response(
                None, error=f"{type(exc).__name__}: {str(exc).replace(url, redact(url))}"
            )
        return _Response(response.status_code, response.headers.get("Retry-After"))

    def _common(
        self, n: Notification, sink: Sink, attempt: int, status: int | None, elapsed_ms: float
    ) -> dict[str, Any]:
        return {
            "event_time": self.clock.now(),
            "producer": self.producer,
            "notification_id": n.notification_id,
            "group_key": n.group_key,
            "sink": sink.name,
            "sink_type": sink.type,
            "status": n.status,
            "alert_ids": n.alert_ids,
            "attempt": attempt,
            "http_status": status,
            "duration_ms": round(elapsed_ms, 3),
        }

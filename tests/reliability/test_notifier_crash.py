"""SIGKILL the notifier after a send and before its commit: each alert arrives once or twice.

The notifier runs as ``mediawatch run notifier`` in a subprocess. The webhook receiver holds
some requests open without answering; once every alert's request has arrived, the notifier
is killed while those requests are still open, so their offsets cannot have been committed.
A restarted notifier (same consumer group) must deliver every alert again that was not
acknowledged: no alert is lost, none is delivered more than twice.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from confluent_kafka.admin import AdminClient

from mediawatch_common.events import AlertLevel, AlertRaised, Producer, Stage, encode_event
from mediawatch_common.kafka import (
    EventProducer,
    Topics,
    declare_topics,
    ensure_topics,
    producer_config,
)
from mediawatch_common.settings import Settings

from ..integration.helpers import wait_for

pytestmark = pytest.mark.reliability

ALERTS = 6
ANSWERED_BEFORE_CRASH = 2
MEDIAWATCH = Path(sys.executable).parent / "mediawatch"
ROUTES = """
sinks:
  hook: {type: webhook, url_env: CRASH_HOOK_URL, secret_env: CRASH_HOOK_KEY}
routes:
  - sinks: [hook]
    group_by: [session_id]
    group_wait_seconds: 0
"""


class HoldingReceiver:
    """Answers the first ``answer_first`` requests at once and holds the rest open until
    :meth:`release`; records every request's alert ids on arrival."""

    def __init__(self, answer_first: int) -> None:
        self.arrived: list[tuple[tuple[str, ...], bool]] = []  # (alert ids, answered 200)
        self._answer_left = answer_first
        self._released = threading.Event()
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                ids = tuple(a["id"] for a in body["alerts"])
                if not receiver._admit(ids):
                    receiver._released.wait(30)
                    return  # the sender was killed meanwhile: nobody to answer
                try:
                    self.send_response(200)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:
                    pass

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def _admit(self, ids: tuple[str, ...]) -> bool:
        with self._lock:
            answer = self._released.is_set() or self._answer_left > 0
            self._answer_left -= 1
            self.arrived.append((ids, answer))
            return answer

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}/hook"

    def release(self) -> None:
        """From now on every request is answered 200 at once."""
        self._released.set()

    def counts(self, answered_only: bool = False) -> Counter[str]:
        with self._lock:
            return Counter(i for ids, ok in self.arrived if ok or not answered_only for i in ids)

    def __enter__(self) -> HoldingReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._released.set()
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def crash_topics(settings: Settings, admin: AdminClient) -> Iterator[Topics]:
    topics = declare_topics(f"test.notifiercrash.{uuid.uuid4().hex[:10]}", partitions=1)
    ensure_topics(admin, topics.all(), 1, 1)
    yield topics
    for future in admin.delete_topics(
        [t.name for t in topics.all()], operation_timeout=30
    ).values():
        future.result()


def raise_alerts(bootstrap: str, topics: Topics) -> list[str]:
    producer = EventProducer(producer_config(bootstrap, "test-notifier-crash"))
    ids = []
    for n in range(ALERTS):
        alert = AlertRaised(
            producer=Producer(service="test", host="worker-1", pid=1),
            alert_id=f"alert_1700000000_{n + 1}",
            fingerprint=f"processing_failed{{session_id=crash_{n},stage=merging}}",
            rule="processing_failed",
            level=AlertLevel.ERROR,
            title="Processing Failed: merging",
            message=f"Session crash_{n} failed at merging: FFmpeg process failed",
            session_id=f"crash_{n}",
            user_id="user_1",
            stage=Stage.MERGING,
            labels={"session_id": f"crash_{n}", "stage": "merging", "host": "worker-1"},
            starts_at=datetime.now(UTC),
        )
        producer.produce(topics.alerts.name, encode_event(alert), key=alert.fingerprint)
        ids.append(alert.alert_id)
    producer.flush()
    return ids


def start_notifier(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [str(MEDIAWATCH), "run", "notifier"], env=env, stdout=out, stderr=subprocess.STDOUT
        )


def stop(process: subprocess.Popen[bytes], sig: signal.Signals) -> int:
    if process.poll() is None:
        process.send_signal(sig)
    return process.wait(timeout=30)


def test_killed_before_commit_every_alert_arrives_at_least_once_and_at_most_twice(
    settings: Settings, crash_topics: Topics, tmp_path: Path
) -> None:
    topics = crash_topics
    routes = tmp_path / "routes.yaml"
    routes.write_text(ROUTES)
    with HoldingReceiver(answer_first=ANSWERED_BEFORE_CRASH) as receiver:
        env = {
            **os.environ,
            "KAFKA_BOOTSTRAP_SERVERS": settings.kafka.bootstrap_servers,
            "KAFKA_TOPIC_PREFIX": topics.alerts.name.removesuffix(".alerts"),
            "NOTIFIER_ROUTES_FILE": str(routes),
            "NOTIFIER_GROUP_ID": f"{topics.alerts.name}.notifier",
            "NOTIFIER_TIMEOUT_SECONDS": "60",
            "CRASH_HOOK_URL": receiver.url,
            "CRASH_HOOK_KEY": "crash-test-key",
            "LOG_DIR": str(tmp_path / "logs"),
            "LOG_CONSOLE": "false",
        }
        ids = raise_alerts(settings.kafka.bootstrap_servers, topics)
        log = tmp_path / "notifier.out"

        first = start_notifier(env, log)
        try:
            arrived = wait_for(lambda: sum(receiver.counts().values()) >= ALERTS, timeout=60)
        finally:
            # Killed while the held requests are open: their offsets cannot be committed.
            killed = stop(first, signal.SIGKILL)
        assert arrived, log.read_text()
        assert killed == -signal.SIGKILL
        before = receiver.counts()
        unanswered = set(ids) - set(receiver.counts(answered_only=True))

        receiver.release()
        second = start_notifier(env, log)
        try:
            delivered = wait_for(
                lambda: set(receiver.counts(answered_only=True)) >= set(ids), timeout=60
            )
        finally:
            code = stop(second, signal.SIGTERM)
        assert delivered, log.read_text()
        assert code == 0, log.read_text()
        received = receiver.counts()

    duplicated = sum(n - 1 for n in received.values() if n > 1)
    lost = [i for i in ids if received[i] == 0]
    print(
        f"notifier SIGKILL before commit: alerts={len(ids)} "
        f"sent_before_kill={sum(before.values())} unanswered_at_kill={len(unanswered)} "
        f"received={sum(received.values())} duplicated={duplicated} lost={len(lost)}"
    )
    assert lost == []
    assert all(1 <= received[i] <= 2 for i in ids), received
    assert len(unanswered) == ALERTS - ANSWERED_BEFORE_CRASH
    # Sent but never acknowledged before the crash: sent again, so exactly twice.
    assert all(received[i] == 2 for i in unanswered), received

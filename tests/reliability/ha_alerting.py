"""Helpers of the HA alerting test: the instances as processes, the stream, the receiver."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from mediawatch_common.events import (
    AlertRaised,
    AlertResolved,
    ErrorCode,
    Event,
    Producer,
    SilenceCreated,
    SilenceMatcher,
    Stage,
    StageCompleted,
    decode_event,
    encode_event,
)
from mediawatch_common.kafka import EventProducer, Topics, producer_config, read_history
from mediawatch_common.kafka.lease import lease_topic

MEDIAWATCH = Path(sys.executable).parent / "mediawatch"
WORKER = Producer(service="transcoder", host="worker-ha", pid=7)
ROUTES = """
sinks:
  hook: {type: webhook, url_env: HA_HOOK_URL, secret_env: HA_HOOK_KEY}
routes:
  - sinks: [hook]
    group_by: [rule]
    group_wait_seconds: 1
    repeat_interval_seconds: 86400
"""


class Receiver:
    """A webhook that answers 200 and keeps every body."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with receiver._lock:
                    receiver.bodies.append(body)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}/hook"

    def receipts(self, status: str) -> Counter[str]:
        """Per alert id, how many bodies listed it with ``status`` (firing or resolved)."""
        with self._lock:
            return Counter(
                a["id"] for b in self.bodies for a in b["alerts"] if a["status"] == status
            )

    def copy(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.bodies)

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@dataclass
class Instance:
    """One ``mediawatch run alerter|notifier`` process."""

    role: str
    name: str
    process: subprocess.Popen[bytes]
    out: Path
    killed: bool = False

    def standby_log(self) -> list[str]:
        """What the instance logged of its terms: ``leading`` and ``... standing by``."""
        messages = []
        for path in (self.out.parent / self.name).rglob("*.log"):
            for line in path.read_text().splitlines():
                record = json.loads(line)
                if record["logger"] == "mediawatch_common.kafka.standby":
                    messages.append(record["message"])
        return messages

    def leading(self) -> bool:
        """Whether its last term began and has not ended."""
        terms = self.standby_log()
        return bool(terms) and terms[-1] == "leading"

    def send(self, sig: signal.Signals) -> None:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            self.killed = self.killed or sig == signal.SIGKILL

    def stop(self) -> int:
        self.send(signal.SIGCONT)
        self.send(signal.SIGTERM)
        try:
            return self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:  # did not stop in time: reported by its exit code
            self.process.kill()
            self.process.wait(timeout=10)
            return -999


@dataclass
class Deployment:
    """Two alerters and two notifiers on one topic prefix."""

    env: dict[str, str]
    logs: Path
    instances: list[Instance] = field(default_factory=list)

    def start(self, role: str, name: str) -> Instance:
        out = self.logs / f"{name}.out"
        env = {**self.env, "LOG_DIR": str(self.logs / name)}
        with out.open("ab") as sink:
            process = subprocess.Popen(
                [str(MEDIAWATCH), "run", role], env=env, stdout=sink, stderr=subprocess.STDOUT
            )
        instance = Instance(role, name, process, out)
        self.instances.append(instance)
        return instance

    def stop_all(self) -> dict[str, int]:
        return {i.name: i.stop() for i in self.instances}

    def output(self) -> str:
        return "\n".join(f"--- {i.name}\n{i.out.read_text()[-3000:]}" for i in self.instances)


def wait_until(condition: Any, timeout: float, step: float = 0.25) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return bool(condition())


def stage_event(session: str, ok: bool, at: datetime) -> StageCompleted:
    return StageCompleted(
        event_time=at,
        producer=WORKER,
        session_id=session,
        user_id="user_ha",
        stage=Stage.MERGING,
        started_at=at - timedelta(seconds=3),
        success=ok,
        duration_seconds=3.0,
        error_code=None if ok else ErrorCode.FFMPEG_FAILED,
        error_message=None if ok else "FFmpeg process failed",
    )


def silence(label: str, regex: str) -> SilenceCreated:
    now = datetime.now(UTC)
    return SilenceCreated(
        producer=WORKER,
        silence_id=f"silence_{int(now.timestamp())}_1",
        matchers=(SilenceMatcher(label=label, op="=~", value=regex),),
        starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(hours=2),
        author="reliability",
        comment="quiet sessions are muted throughout",
    )


@contextmanager
def stream(
    bootstrap: str, topics: Topics, loud: list[str], quiet: list[str], spacing: float, hold: float
) -> Iterator[threading.Thread]:
    """In a thread: loud sessions fail at merging two at a time, ``spacing`` seconds apart,
    quiet ones between them; each retry succeeds ``hold`` seconds after its failure."""
    producer = EventProducer(producer_config(bootstrap, "rel-ha-stream"))
    failures = [((n // 2) * spacing, s) for n, s in enumerate(loud)]
    failures += [((n * 3 + 0.5) * spacing, s) for n, s in enumerate(quiet)]
    plan = sorted([(t, s, False) for t, s in failures] + [(t + hold, s, True) for t, s in failures])

    def run() -> None:
        began = time.monotonic()
        for due, session, ok in plan:
            time.sleep(max(0.0, began + due - time.monotonic()))
            event = stage_event(session, ok, datetime.now(UTC))
            producer.produce(topics.pipeline.name, encode_event(event), key=session)
            producer.flush()

    thread = threading.Thread(target=run, name="ha-stream", daemon=True)
    thread.start()
    yield thread
    thread.join(timeout=plan[-1][0] + 30)


def alert_events(bootstrap: str, topics: Topics) -> list[Event]:
    """Every committed event of the alerts topic (transactions aborted by fencing left out)."""
    return list(read_history(bootstrap, topics.alerts.name, decode_event, timeout=60))


def lifecycle_counts(events: list[Event]) -> tuple[Counter[str], Counter[str], dict[str, str]]:
    """Raises per fingerprint, resolutions per fingerprint, and the alert id of each."""
    raised: Counter[str] = Counter()
    resolved: Counter[str] = Counter()
    ids: dict[str, str] = {}
    for event in events:
        if isinstance(event, AlertRaised):
            raised[event.fingerprint] += 1
            ids[event.fingerprint] = event.alert_id
        elif isinstance(event, AlertResolved):
            resolved[event.fingerprint] += 1
    return raised, resolved, ids


def fingerprint(session: str) -> str:
    return f"processing_failed{{session_id={session},stage=merging}}"


def lease_topic_name(topics: Topics) -> str:
    return lease_topic(topics.alerts.name.removesuffix(".alerts")).name


def process_env(bootstrap: str, prefix: str, routes: Path, hook: str) -> dict[str, str]:
    return {
        **os.environ,
        "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
        "KAFKA_TOPIC_PREFIX": prefix,
        "KAFKA_REPLICATION_FACTOR": "3",
        "KAFKA_MIN_INSYNC_REPLICAS": "2",
        "ALERTER_GROUP_ID": f"{prefix}.alerter",
        "ALERTER_TICK_SECONDS": "0.5",
        "NOTIFIER_GROUP_ID": f"{prefix}.notifier",
        "NOTIFIER_ROUTES_FILE": str(routes),
        "NOTIFIER_RATE_LIMIT_PER_MINUTE": "600",
        "NOTIFIER_BACKOFF_INITIAL_SECONDS": "0.2",
        "HA_HOOK_URL": hook,
        "HA_HOOK_KEY": "ha-test-key",
        "METRICS_PORT": "0",
        "LOG_CONSOLE": "false",
    }

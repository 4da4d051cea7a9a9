"""SIGTERM while the broker or PostgreSQL is unreachable: every service exits with status 0
before the stop deadline (``SHUTDOWN_TIMEOUT_SECONDS``, 25 s) would have ended it, within the
orchestrator's usual grace period (30 s). And the aggregator stopped with the broker up exits 0
at once, leaving its groups, and a restart counts every event exactly once.

Each service runs as ``mediawatch run NAME`` against a Kafka cluster of this module's own
(``stop1``, one broker on port 29872) and, for the projector and the API, a PostgreSQL schema
of the test's own. Once the service is up (its consumer group has its partitions, the API
answers, the health reporter has reported), the broker is frozen (SIGSTOP: connections hang,
the harshest outage) or the private PostgreSQL server is stopped, then the service gets
SIGTERM. Log shipping stays on, as in production, so its flush is part of the stop.
"""

from __future__ import annotations

import functools
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
import pytest
from confluent_kafka import Consumer
from confluent_kafka.admin import AdminClient

from mediawatch_common.events import Stage, encode_event
from mediawatch_common.kafka import EventProducer, Topics, producer_config, watermarks
from mediawatch_common.settings import ShutdownSettings
from mediawatch_store import upgrade
from tests.integration.aggregator.helpers import (
    WindowReader,
    aggregator,
    committed,
    completions,
    deployment,
    expected,
    produce,
)
from tests.integration.api.samples import log

from ..integration.helpers import wait_for
from .cluster import Cluster
from .pgcluster import PrivateCluster, free_port
from .topics import prefix_of, unique_topics

pytestmark = pytest.mark.reliability

MEDIAWATCH = Path(sys.executable).parent / "mediawatch"
DEADLINE_SECONDS = float(ShutdownSettings.model_fields["timeout_seconds"].default)
"""The default stop deadline: past it ``mediawatch_common.shutdown`` ends a service, status 1."""
FORCED = "still stopping after the deadline"
"""What a service logs when the stop deadline ends it (``mediawatch_common.shutdown``)."""
PATIENCE_SECONDS = 120.0
"""How long a stop is waited for before the process is killed (to report how long it took)."""


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    """One broker of this module's own, which the tests freeze and thaw."""
    own = Cluster("stop1", 1, 29872)
    own.destroy()
    own.up()
    yield own
    own.destroy()


@pytest.fixture
def cluster_admin(cluster: Cluster) -> AdminClient:
    """An admin client of the module's cluster, started again if it went away meanwhile."""
    admin = AdminClient({"bootstrap.servers": cluster.bootstrap})
    try:
        admin.list_topics(timeout=10)
    except Exception:
        cluster.destroy()
        cluster.up()
    return admin


@pytest.fixture
def private_db() -> Iterator[PrivateCluster]:
    db = PrivateCluster()
    try:
        db.up()
        yield db
    finally:
        db.destroy()


@dataclass
class Run:
    """One service process and what the test needs to judge it."""

    name: str
    env: dict[str, str]
    ready: Callable[[], bool]
    out: Path
    process: subprocess.Popen[bytes] | None = None
    stop_seconds: float | None = None
    code: int | None = None
    during: Callable[[], None] = lambda: None
    """What to do once the outage began (give the service work it cannot finish)."""

    def start(self) -> None:
        with self.out.open("wb") as out:
            self.process = subprocess.Popen([str(MEDIAWATCH), "run", self.name], env=self.env,
                                            stdout=out, stderr=subprocess.STDOUT)  # fmt: skip

    def terminate(self) -> None:
        """SIGTERM, then wait up to PATIENCE_SECONDS; records how long the stop took."""
        assert self.process is not None
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        try:
            self.code = self.process.wait(timeout=PATIENCE_SECONDS)
            self.stop_seconds = time.monotonic() - started
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
            self.stop_seconds = None

    def output(self) -> str:
        return self.out.read_text(errors="replace")[-4000:]


def _has_members(admin: AdminClient, group: str) -> bool:
    try:
        (future,) = admin.describe_consumer_groups([group], request_timeout=5).values()
        return any(m.assignment.topic_partitions for m in future.result().members)
    except Exception:
        return False


def _has_messages(bootstrap: str, topic: str) -> bool:
    probe = Consumer({"bootstrap.servers": bootstrap, "group.id": "stop-probe"})
    try:
        return watermarks(probe, topic, 0, timeout=5)[1] > 0
    except Exception:
        return False
    finally:
        probe.close()


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def _send_log(bootstrap: str, topic: str) -> None:
    producer = EventProducer(producer_config(bootstrap, "stop-test"))
    producer.produce(topic, encode_event(log(datetime.now(UTC), "INFO", "a line")))
    producer.flush(timeout=10)


def _scalar(url: str, schema: str, query: str) -> int:
    """The one value ``query`` answers in ``schema`` (-1 when the database does not answer)."""
    try:
        with psycopg.connect(url, options=f"-csearch_path={schema}", connect_timeout=3) as conn:
            row = conn.execute(query).fetchone()
    except psycopg.OperationalError:
        return -1
    return int(row[0]) if row and row[0] is not None else 0


def _projected(url: str, schema: str) -> bool:
    """True once the projector wrote a batch (and its positions)."""
    return _scalar(url, schema, "SELECT count(*) FROM consumer_positions") > 0


def _base_env(cluster: Cluster, topics: Topics, tmp: Path) -> dict[str, str]:
    from os import environ

    return {
        **environ,
        "KAFKA_BOOTSTRAP_SERVERS": cluster.bootstrap,
        "KAFKA_TOPIC_PREFIX": prefix_of(topics),
        "LOG_DIR": str(tmp / "logs"),
        "LOG_CONSOLE": "true",
        "LOG_SHIP": "true",
        "METRICS_PORT": "0",
        "HEALTH_CHECK_TEMP_DIR": str(tmp),
        "TRANSCODER_STORAGE_BACKEND": "local",
        "TRANSCODER_STORAGE_DIR": str(tmp / "storage"),
    }


def _service(name: str, cluster: Cluster, admin: AdminClient, topics: Topics, tmp: Path,
             database_url: str) -> Run:  # fmt: skip
    env = _base_env(cluster, topics, tmp)
    tag = uuid.uuid4().hex[:8]
    group: str | None = None
    if name == "aggregator":
        env |= {"AGGREGATOR_APP_ID": f"stop-agg-{tag}", "AGGREGATOR_STATE_DIR": str(tmp / "agg")}
        group = f"stop-agg-{tag}-ingest"
    elif name == "alerter":
        group = env["ALERTER_GROUP_ID"] = f"stop-alerter-{tag}"
    elif name == "notifier":
        group = env["NOTIFIER_GROUP_ID"] = f"stop-notifier-{tag}"
        env["NOTIFIER_URL"] = "https://hooks.example.invalid/stop-test"
    schema = f"stop_{tag}"
    if name in ("projector", "api"):
        upgrade(database_url, schema)
        env |= {"DATABASE_URL": database_url, "DATABASE_SCHEMA": schema}
    if name == "projector":
        env["PROJECTOR_GROUP_ID"] = f"stop-projector-{tag}"
        send = functools.partial(_send_log, cluster.bootstrap, topics.logs.name)
        send()
        written = functools.partial(_projected, database_url, schema)
        return Run(name, env, written, tmp / f"{name}.out", during=send)
    if name == "api":
        port = free_port()
        env |= {"API_PORT": str(port), "API_HOST": "127.0.0.1",
                "API_JWT_SECRET": uuid.uuid4().hex * 2}  # fmt: skip
        url = f"http://127.0.0.1:{port}/api/v1/monitoring/health"
        return Run(name, env, lambda: _answers(url), tmp / f"{name}.out")
    if name == "health":
        env["HEALTH_CHECK_INTERVAL_SECONDS"] = "2"
        resources = topics.resources.name
        return Run(name, env, lambda: _has_messages(cluster.bootstrap, resources),
                   tmp / f"{name}.out")  # fmt: skip
    assert group is not None
    return Run(name, env, lambda: _has_members(admin, group), tmp / f"{name}.out")


@contextmanager
def _frozen(cluster: Cluster) -> Iterator[None]:
    cluster.signal(1, "SIGSTOP")
    try:
        yield
    finally:
        cluster.signal(1, "SIGCONT")


def _stop_during(run: Run, outage: Callable[[], object]) -> None:
    run.start()
    try:
        assert wait_for(run.ready, timeout=120), f"{run.name} never got ready:\n{run.output()}"
        with outage():  # type: ignore[attr-defined]
            run.during()
            time.sleep(2)  # let the service's clients meet the outage before the signal
            run.terminate()
    finally:
        if run.process is not None and run.process.poll() is None:
            run.process.kill()
            run.process.wait(timeout=10)
    took = "did not stop" if run.stop_seconds is None else f"{run.stop_seconds:.1f}s"
    forced = FORCED in run.output()
    print(f"SIGTERM {run.name}: stopped in {took}, exit {run.code}"
          f"{' (at the stop deadline)' if forced else ''}")  # fmt: skip
    assert run.stop_seconds is not None, f"{run.name} ignored SIGTERM:\n{run.output()}"
    assert run.stop_seconds < DEADLINE_SECONDS, f"{run.name} took {took}:\n{run.output()}"
    assert not forced, f"{run.name} was ended by the stop deadline:\n{run.output()}"
    assert run.code == 0, run.output()


@pytest.mark.parametrize("name", ["aggregator", "alerter", "notifier", "projector", "api",
                                  "health"])  # fmt: skip
def test_sigterm_with_the_broker_unreachable_stops_within_the_grace_period(
    name: str, cluster: Cluster, cluster_admin: AdminClient, database_url: str, tmp_path: Path
) -> None:
    with unique_topics(cluster_admin, f"stop.{name}") as topics:
        run = _service(name, cluster, cluster_admin, topics, tmp_path, database_url)
        run.during = lambda: None  # nothing can be sent to a frozen broker
        _stop_during(run, lambda: _frozen(cluster))


@pytest.mark.parametrize("name", ["projector", "api"])
def test_sigterm_with_postgres_unreachable_stops_within_the_grace_period(
    name: str, cluster: Cluster, cluster_admin: AdminClient, private_db: PrivateCluster,
    tmp_path: Path,
) -> None:  # fmt: skip
    @contextmanager
    def stopped() -> Iterator[None]:
        private_db.stop("immediate")
        yield

    with unique_topics(cluster_admin, f"stop.{name}") as topics:
        run = _service(name, cluster, cluster_admin, topics, tmp_path, private_db.url)
        _stop_during(run, stopped)
        if name == "projector":
            _projects_what_it_gave_up(run, private_db, tmp_path)


def _projects_what_it_gave_up(run: Run, db: PrivateCluster, tmp: Path) -> None:
    """The record produced during the outage was not projected, nor its position stored; a
    new projector projects it, once."""
    db.start()
    schema = run.env["DATABASE_SCHEMA"]
    records = functools.partial(
        _scalar, db.url, schema, "SELECT count(*) FROM log_records WHERE message = 'a line'"
    )
    assert records() == 1
    again = Run("projector", run.env, lambda: records() == 2, tmp / "projector-again.out")
    again.start()
    try:
        assert wait_for(again.ready, timeout=60), again.output()
    finally:
        again.terminate()
    assert records() == 2
    positions = "SELECT sum(next_offset) FROM consumer_positions"
    assert _scalar(db.url, schema, positions) >= 2


def _members(admin: AdminClient, group: str) -> int:
    (future,) = admin.describe_consumer_groups([group], request_timeout=10).values()
    return len(future.result().members)


def test_sigterm_stops_the_aggregator_in_order_and_a_restart_counts_every_event_once(
    cluster: Cluster, cluster_admin: AdminClient, tmp_path: Path
) -> None:
    """Broker up: exit 0 well before the deadline, both groups left (not timed out), and the
    windows after a restart hold every event read before the stop and sent during it, once."""
    stages = [Stage.PREPARATION, Stage.COMPRESSION]
    before = completions(datetime.now(UTC) - timedelta(seconds=3), 300, 3.0, 4, stages)
    with deployment(cluster.bootstrap, cluster_admin, tmp_path) as dep:
        pipeline, ingest = dep.topics.pipeline.name, f"{dep.app_id}-ingest"
        produce(cluster.bootstrap, pipeline, before)
        reader = WindowReader(cluster.bootstrap, dep.topics.windows.name)
        try:
            with aggregator(dep) as proc:
                assert wait_for(
                    lambda: committed(cluster.bootstrap, ingest, pipeline, 2) == len(before), 90
                ), "the aggregator never committed its input"
                began = time.monotonic()
                proc.send_signal(signal.SIGTERM)
                code = proc.wait(timeout=PATIENCE_SECONDS)
                took = time.monotonic() - began
            print(f"SIGTERM aggregator, broker up: stopped in {took:.1f}s, exit {code}")
            logged = (dep.log_dir / "aggregator" / "application.log").read_text()
            assert code == 0, logged[-4000:]
            assert took < DEADLINE_SECONDS
            assert '"message":"stopped"' in logged  # its own stop ran to the end
            assert "stopped waiting for the brokers" not in logged
            assert _members(cluster_admin, ingest) == _members(cluster_admin, dep.app_id) == 0
            assert committed(cluster.bootstrap, ingest, pipeline, 2) == len(before)
            during = completions(datetime.now(UTC), 200, 1.0, 3, stages)
            produce(cluster.bootstrap, pipeline, during)
            want = expected(before + during)
            with aggregator(dep):
                reader.wait_closed(set(want), timeout=90)
        finally:
            reader.close()
    results: dict[tuple[str, int, datetime], set[tuple[int, int, int]]] = {}
    for e in reader.results:
        if e.closed:
            key = (e.stage.value, e.window_seconds, e.window_start)
            results.setdefault(key, set()).add((e.attempts, e.failures, e.late_events))
    for key, (attempts, failures) in want.items():
        assert results[key] == {(attempts, failures, 0)}, key

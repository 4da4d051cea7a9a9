"""The lease of an active/standby role and the transactional fence, on the shared broker."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Iterator

import pytest
from confluent_kafka.admin import AdminClient

from mediawatch_common.kafka import declare_topics, ensure_topics, producer_config, read_history
from mediawatch_common.kafka.lease import Lease, lease_topic
from mediawatch_common.kafka.standby import FencedError, Standby
from mediawatch_common.kafka.transactions import TransactionalProducer, transactional_config
from mediawatch_common.settings import Settings

from .helpers import wait_for

pytestmark = pytest.mark.integration


@pytest.fixture
def prefix(admin: AdminClient) -> Iterator[str]:
    prefix = f"test.lease.{uuid.uuid4().hex[:10]}"
    topics = declare_topics(prefix, partitions=1)
    ensure_topics(admin, (*topics.all(), lease_topic(prefix)), 1, 1)
    yield prefix
    names = [t for t in admin.list_topics(timeout=10).topics if t.startswith(prefix)]
    for future in admin.delete_topics(names, operation_timeout=30).values():
        future.result()


def test_one_member_holds_the_lease_and_a_standby_takes_over(
    settings: Settings, prefix: str
) -> None:
    bootstrap, topic = settings.kafka.bootstrap_servers, lease_topic(prefix).name
    first = Lease(bootstrap, topic, f"{prefix}.lease", 6000)
    assert wait_for(first.held, timeout=30)
    second = Lease(bootstrap, topic, f"{prefix}.lease", 6000)
    try:
        # The standby joins; the sticky assignor leaves the partition with the holder.
        for _ in range(20):
            assert (first.held(), second.held()) == (True, False)
            time.sleep(0.1)
        first.close()
        assert wait_for(second.held, timeout=30)
    finally:
        second.close()


def test_a_holder_not_heard_for_a_session_gives_the_lease_up(
    settings: Settings, prefix: str
) -> None:
    clock = [0.0]
    lease = Lease(
        settings.kafka.bootstrap_servers,
        lease_topic(prefix).name,
        f"{prefix}.lease",
        6000,
        monotonic=lambda: clock[0],
    )
    try:
        assert wait_for(lease.held, timeout=30)
        clock[0] += 7.0  # as if the process had been stopped for longer than its session
        assert lease.held() is False
        assert wait_for(lease.held, timeout=30)  # the group gives it back: nobody else wants it
    finally:
        lease.close()


def test_a_second_holder_of_the_transactional_id_fences_the_first(
    settings: Settings, prefix: str
) -> None:
    bootstrap = settings.kafka.bootstrap_servers
    topic = f"{prefix}.alerts"
    config = transactional_config(producer_config(bootstrap, "test-fence"), f"{prefix}.tx")
    old, new = TransactionalProducer(config), TransactionalProducer(config)
    old.start(30)
    old.append([(topic, "k", b"before")])
    new.start(30)

    with pytest.raises(FencedError):
        old.append([(topic, "k", b"zombie")])
    new.append([(topic, "k", b"after")])

    kept = read_history(bootstrap, topic, bytes, timeout=30)  # type: ignore[arg-type]
    assert list(kept) == [b"before", b"after"]


class Recorder:
    """A term that runs until told or until its lease is lost, and says so."""

    def __init__(self, log: list[str], name: str) -> None:
        self._log, self._name = log, name
        self._stop = threading.Event()

    def run(self, until: Callable[[], bool] | None = None) -> None:
        self._log.append(f"{self._name} leads")
        while not self._stop.wait(0.1) and not (until and until()):
            pass
        self._log.append(f"{self._name} ends")

    def stop(self) -> None:
        self._stop.set()


def test_standbys_lead_one_at_a_time(settings: Settings, prefix: str) -> None:
    bootstrap, topic = settings.kafka.bootstrap_servers, lease_topic(prefix).name
    log: list[str] = []
    first = Standby(Lease(bootstrap, topic, f"{prefix}.lease", 6000), lambda: Recorder(log, "a"))
    runner = threading.Thread(target=first.run, daemon=True)
    runner.start()
    assert wait_for(lambda: log == ["a leads"], timeout=30)
    second = Standby(Lease(bootstrap, topic, f"{prefix}.lease", 6000), lambda: Recorder(log, "b"))
    other = threading.Thread(target=second.run, daemon=True)
    other.start()
    time.sleep(3)
    assert log == ["a leads"]  # the standby waits while the first leads

    first.stop()  # ends the term and leaves the group: the standby takes over
    runner.join(timeout=30)
    assert wait_for(lambda: log == ["a leads", "a ends", "b leads"], timeout=30)
    second.stop()
    other.join(timeout=30)
    assert log == ["a leads", "a ends", "b leads", "b ends"]
    assert (first.terms, second.terms) == (1, 1)


def test_a_stop_while_a_term_is_built_runs_no_term(settings: Settings, prefix: str) -> None:
    log: list[str] = []
    lease = Lease(settings.kafka.bootstrap_servers, lease_topic(prefix).name, f"{prefix}.l", 6000)

    def build() -> Recorder:
        standby.stop()  # as a signal handler would, on the thread building the term
        return Recorder(log, "a")

    standby = Standby(lease, build)
    runner = threading.Thread(target=standby.run, daemon=True)
    runner.start()
    runner.join(timeout=30)

    assert not runner.is_alive()
    assert (log, standby.terms) == ([], 0)

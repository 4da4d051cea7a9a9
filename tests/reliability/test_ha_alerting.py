"""Two alerters and two notifiers on a 3-broker cluster behave like one through faults.

Each scenario runs ``mediawatch run alerter`` and ``mediawatch run notifier`` twice, as real
processes, against a cluster of this module's own and a webhook receiver of the test. A
stream of stage events fails sessions at merging (two at a time, so alerts group) and
succeeds each retry later (the alert resolves); a silence mutes the ``quiet_`` sessions.
Mid-stream one fault: the active alerter SIGKILLed, the active notifier SIGKILLed, or both
active instances SIGSTOPped past their session timeout and continued. Then: every alert
raised once and resolved once on the alerts topic (committed events, by fingerprint), each
alert delivered firing and resolved at least once and at most twice, silenced sessions
never raised nor delivered, every message one group's.
"""

from __future__ import annotations

import signal
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import suppress
from pathlib import Path

import pytest
from confluent_kafka.admin import AdminClient

from mediawatch_common.events import AlertRaised, encode_event
from mediawatch_common.kafka import EventProducer, Topics, declare_topics, ensure_topics
from mediawatch_common.kafka import producer_config as make_producer_config

from .cluster import Cluster
from .ha_alerting import (
    ROUTES,
    Deployment,
    Instance,
    Receiver,
    alert_events,
    fingerprint,
    lifecycle_counts,
    process_env,
    silence,
    stream,
    wait_until,
)

pytestmark = pytest.mark.reliability

LOUD = [f"loud_{n}" for n in range(12)]
QUIET = [f"quiet_{n}" for n in range(4)]
SPACING = 1.5  # seconds between pairs of failures
HOLD = 30.0  # seconds from a failure to its successful retry: longer than a takeover
FAULT_AT = 8.0  # seconds into the stream
TAKEOVER_SECONDS = 60.0


@pytest.fixture(scope="module")
def ha_cluster() -> Iterator[Cluster]:
    """Three brokers of this module's own (ports 29792-29794, controllers 29892-29894)."""
    cluster = Cluster("relha", 3, 29792)
    cluster.destroy()
    cluster.up()
    yield cluster
    cluster.destroy()


Fault = Callable[[Deployment], None]


def active(dep: Deployment, role: str) -> Instance:
    (leader,) = [i for i in dep.instances if i.role == role and i.leading()]
    return leader


def taken_over(dep: Deployment, old: Instance) -> None:
    others = [i for i in dep.instances if i.role == old.role and i is not old]
    assert wait_until(lambda: any(i.leading() for i in others), TAKEOVER_SECONDS), (
        f"no {old.role} took over\n{dep.output()}"
    )


def kill_active(role: str) -> Fault:
    def fault(dep: Deployment) -> None:
        leader = active(dep, role)
        leader.send(signal.SIGKILL)
        taken_over(dep, leader)

    return fault


def pause_both_active(dep: Deployment) -> None:
    stopped = [active(dep, role) for role in ("alerter", "notifier")]
    for instance in stopped:
        instance.send(signal.SIGSTOP)
    for instance in stopped:
        taken_over(dep, instance)
    time.sleep(2)  # stay stopped a little past the takeover
    for instance in stopped:
        instance.send(signal.SIGCONT)
    # Each continued instance finds it lost the lease, ends its term and stands by.
    for instance in stopped:
        assert wait_until(lambda i=instance: not i.leading(), TAKEOVER_SECONDS), dep.output()
        assert instance.standby_log().count("leading") == 1, instance.standby_log()
        assert instance.process.poll() is None, dep.output()


def run_scenario(cluster: Cluster, tmp_path: Path, label: str, fault: Fault) -> None:
    admin = AdminClient({"bootstrap.servers": cluster.bootstrap})
    prefix = f"relha.{label}.{uuid.uuid4().hex[:8]}"
    topics = declare_topics(prefix, partitions=3)
    ensure_topics(admin, topics.all(), 3, 2)
    routes = tmp_path / "routes.yaml"
    routes.write_text(ROUTES)
    receiver = Receiver()
    dep = Deployment(process_env(cluster.bootstrap, prefix, routes, receiver.url), tmp_path)
    try:
        muted = silence("session_id", "quiet_.*")
        producer = EventProducer(make_producer_config(cluster.bootstrap, "rel-ha-silence"))
        producer.produce(topics.alerts.name, encode_event(muted), key=muted.silence_id)
        producer.flush()
        first = [dep.start("alerter", "alerter-1"), dep.start("notifier", "notifier-1")]
        for instance in first:
            assert wait_until(instance.leading, TAKEOVER_SECONDS), dep.output()
        dep.start("alerter", "alerter-2")
        dep.start("notifier", "notifier-2")
        with stream(cluster.bootstrap, topics, LOUD, QUIET, SPACING, HOLD):
            time.sleep(FAULT_AT)
            fault(dep)
        assert wait_until(lambda: complete(cluster, topics, receiver), 120, step=2), dep.output()
        time.sleep(3)  # room for a late duplicate to show
        killed = {i.name for i in dep.instances if i.killed}
        check(label, cluster, topics, receiver, dep.stop_all(), killed)
    finally:
        dep.stop_all()
        receiver.close()
        names = [t for t in admin.list_topics(timeout=10).topics if t.startswith(prefix)]
        for future in admin.delete_topics(names, operation_timeout=30).values():
            with suppress(Exception):
                future.result()


def complete(cluster: Cluster, topics: Topics, receiver: Receiver) -> bool:
    raised, resolved, ids = lifecycle_counts(alert_events(cluster.bootstrap, topics))
    if any(raised[fingerprint(s)] < 1 or resolved[fingerprint(s)] < 1 for s in LOUD):
        return False
    firing, gone = receiver.receipts("firing"), receiver.receipts("resolved")
    return all(firing[ids[fingerprint(s)]] and gone[ids[fingerprint(s)]] for s in LOUD)


def check(
    label: str,
    cluster: Cluster,
    topics: Topics,
    receiver: Receiver,
    codes: dict[str, int],
    killed: set[str],
) -> None:
    events = alert_events(cluster.bootstrap, topics)
    raised, resolved, ids = lifecycle_counts(events)
    alert_ids = Counter(e.alert_id for e in events if isinstance(e, AlertRaised))
    firing, gone = receiver.receipts("firing"), receiver.receipts("resolved")
    bodies = receiver.copy()
    loud_ids = [ids[fingerprint(s)] for s in LOUD]
    print(
        f"HA {label}: raised={sum(raised.values())} resolved={sum(resolved.values())} "
        f"alerts={len(LOUD)} muted_sessions={len(QUIET)} messages={len(bodies)} "
        f"firing_receipts={sum(firing.values())} resolved_receipts={sum(gone.values())} "
        f"firing_twice={sum(1 for i in loud_ids if firing[i] == 2)} "
        f"resolved_twice={sum(1 for i in loud_ids if gone[i] == 2)} exit_codes={codes}"
    )
    assert set(raised) == {fingerprint(s) for s in LOUD}, raised
    assert all(raised[fingerprint(s)] == 1 for s in LOUD), raised
    assert all(resolved[fingerprint(s)] == 1 for s in LOUD), resolved
    assert all(n == 1 for n in alert_ids.values()), alert_ids
    assert len(alert_ids) == len(LOUD), alert_ids
    assert all(1 <= firing[i] <= 2 for i in loud_ids), firing
    assert all(1 <= gone[i] <= 2 for i in loud_ids), gone
    listed = [a for b in bodies for a in b["alerts"]]
    assert not [a for a in listed if a["session_id"].startswith("quiet_")]
    assert {b["group_key"] for b in bodies} == {"route=route1,rule=processing_failed"}
    assert {a["rule"] for a in listed} == {"processing_failed"}
    assert any(len(b["alerts"]) >= 2 for b in bodies if b["status"] == "firing")
    # Every instance stops cleanly on SIGTERM, except the one the fault killed.
    assert {name: code for name, code in codes.items() if name not in killed} == dict.fromkeys(
        set(codes) - killed, 0
    ), codes


def test_active_alerter_killed_mid_stream(ha_cluster: Cluster, tmp_path: Path) -> None:
    run_scenario(ha_cluster, tmp_path, "kill-alerter", kill_active("alerter"))


def test_active_notifier_killed_mid_stream(ha_cluster: Cluster, tmp_path: Path) -> None:
    run_scenario(ha_cluster, tmp_path, "kill-notifier", kill_active("notifier"))


def test_active_instances_stopped_past_their_session_timeout(
    ha_cluster: Cluster, tmp_path: Path
) -> None:
    run_scenario(ha_cluster, tmp_path, "pause", pause_both_active)

"""``mediawatch alerting-demo``: a broken session's alerts arriving at a local webhook."""

from __future__ import annotations

import dataclasses
import json
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta

import click
from confluent_kafka.admin import AdminClient
from pydantic import SecretStr
from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from mediawatch_alerter.settings import AlerterSettings
from mediawatch_alerter.wiring import build_alerter
from mediawatch_alerting_demo.webhook_receiver import WebhookReceiver
from mediawatch_common.cli.context import pass_settings
from mediawatch_common.demo import StageOutcome, synthetic_session
from mediawatch_common.events import (
    AlertDelivered,
    AlertDeliveryFailed,
    ErrorCode,
    Producer,
    ResourceSample,
    Stage,
    decode_event,
    encode_event,
)
from mediawatch_common.kafka import (
    EventProducer,
    Topics,
    connection_config,
    declare_topics,
    ensure_topics,
    producer_config,
)
from mediawatch_common.kafka.read_back import read_history
from mediawatch_common.settings import Settings
from mediawatch_notifier.routing import Route, Routing, Sink
from mediawatch_notifier.settings import NotifierSettings
from mediawatch_notifier.wiring import build_notifier

SECRET = "demo-secret"  # noqa: S105 - signs demo messages to a local receiver only


@click.command("alerting-demo")
@click.option("--timeout", default=30.0, show_default=True, help="Seconds to wait for alerts.")
@click.option("--keep-topics", is_flag=True, help="Keep the demo's temporary topics.")
@pass_settings
def alerting_demo(settings: Settings, timeout: float, keep_topics: bool) -> None:
    """Run alerter + notifier on a session that fails at merging; print what a webhook gets.

    Uses temporary topics (prefix ``<KAFKA_TOPIC_PREFIX>.alertdemo.<run>``), so it never
    touches the real alert history. The receiver fails its first request to show a retry.
    """
    console = Console()
    run = uuid.uuid4().hex[:8]
    prefix = f"{settings.kafka.topic_prefix}.alertdemo.{run}"
    kafka = settings.kafka.model_copy(update={"topic_prefix": prefix})
    local = dataclasses.replace(settings, kafka=kafka)
    topics = declare_topics(prefix, partitions=1)
    admin = AdminClient(connection_config(settings.kafka))
    ensure_topics(admin, topics.all(), 1, 1)
    try:
        with WebhookReceiver(SECRET, fail_first=1) as receiver:
            _produce_session(local, topics, f"video_session_{run}_bad")
            _run_services(local, topics, receiver, timeout)
            _show(console, receiver, local, topics)
    finally:
        if not keep_topics:
            admin.delete_topics([t.name for t in topics.all()], operation_timeout=30)


def _produce_session(settings: Settings, topics: Topics, session: str) -> None:
    failure = StageOutcome(Stage.MERGING, ErrorCode.FFMPEG_FAILED, "FFmpeg process failed")
    start = datetime.now(UTC) - timedelta(minutes=2)
    producer = EventProducer(
        producer_config(connection_config(settings.kafka), "mediawatch-alerting-demo")
    )
    for event in synthetic_session(
        session, "user_789", start, Producer.current("demo"), failure=failure
    ):
        topic = topics.resources.name if isinstance(event, ResourceSample) else topics.pipeline.name
        producer.produce(topic, encode_event(event), key=session)
    producer.flush()


def _run_services(
    settings: Settings, topics: Topics, receiver: WebhookReceiver, timeout: float
) -> None:
    alerter = build_alerter(
        settings,
        AlerterSettings.model_validate(
            {"tick_seconds": 0.5, "group_id": f"{topics.alerts.name}.alerter"}
        ),
    )
    config = NotifierSettings.model_validate(
        {
            "group_wait_seconds": 1.0,
            "backoff_initial_seconds": 0.5,
            "group_id": f"{topics.alerts.name}.notifier",
        }
    )
    route = Route(
        name="demo",
        levels=frozenset({"warning", "error", "critical"}),
        sinks=("chat", "audit"),
        group_wait_seconds=1.0,
    )
    routing = Routing(
        {
            "chat": Sink("chat", "slack", SecretStr(receiver.url("/slack"))),
            "audit": Sink(
                "audit", "webhook", SecretStr(receiver.url("/webhook")), SecretStr(SECRET)
            ),
        },
        (route,),
    )
    notifier = build_notifier(settings, config, routing)
    threads = [threading.Thread(target=s.run, daemon=True) for s in (alerter, notifier)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + timeout
    while (
        time.monotonic() < deadline and len([r for r in receiver.received if r.status == 200]) < 2
    ):
        time.sleep(0.2)
    time.sleep(0.5)
    alerter.stop()
    notifier.stop()
    for thread in threads:
        thread.join(timeout=30)


def _show(console: Console, receiver: WebhookReceiver, settings: Settings, topics: Topics) -> None:
    for item in receiver.received:
        title = f"POST {item.path} → HTTP {item.status}"
        if item.signature_ok is not None:
            title += f" · HMAC signature {'ok' if item.signature_ok else 'WRONG'}"
        body = (
            item.body.get("text")
            if item.path == "/slack"
            else json.dumps(item.body["alerts"], indent=2)
        )
        console.print(Panel(str(body), title=title, expand=False))
    table = Table(title="Delivery records on the alerts topic")
    for column in ("sink", "attempt", "outcome", "alerts"):
        table.add_column(column)
    for event in read_history(connection_config(settings.kafka), topics.alerts.name, decode_event):
        if isinstance(event, AlertDelivered):
            table.add_row(
                event.sink,
                str(event.attempt),
                f"delivered (HTTP {event.http_status})",
                ", ".join(event.alert_ids),
            )
        elif isinstance(event, AlertDeliveryFailed):
            table.add_row(
                event.sink,
                str(event.attempt),
                f"[red]{event.error}[/red], retry in {event.retry_in_seconds:.2f}s",
                ", ".join(event.alert_ids),
            )
    console.print(table)
    if not any(r.status == 200 for r in receiver.received):
        raise click.ClickException("no alert reached the webhook receiver")

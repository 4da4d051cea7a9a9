"""``mediawatch backtest``: what the alert rules would have raised over recorded history."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import click
from rich.console import Console

from mediawatch_alerter.backtest import (
    Report,
    in_event_time_order,
    read_inputs,
    read_silences,
    report_json,
    report_tables,
    run_backtest,
)
from mediawatch_alerter.rules import RulesFile, RulesFileError, load_rules_file
from mediawatch_alerter.settings import AlerterSettings, load
from mediawatch_common.avro import AvroCodec, SchemaRegistry
from mediawatch_common.cli.context import pass_settings
from mediawatch_common.events import Event, decode_event
from mediawatch_common.kafka import Record, connection_config, declare_topics
from mediawatch_common.replay import Bound, HistoryReader, parse_bound
from mediawatch_common.settings import Settings, SettingsError


def _bound(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Bound | None:
    try:
        return None if value is None else parse_bound(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@click.command("backtest")
@click.option(
    "--rules",
    "rules_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Rules file to try (docs/alerting.md format). Default: ALERTER_RULES_FILE, if set.",
)
@click.option(
    "--from",
    "start",
    callback=_bound,
    default="24h",
    show_default=True,
    help="Start: ISO time, age (2h, 7d) or @offset (@0: the oldest kept).",
)
@click.option("--to", "end", callback=_bound, help="End (exclusive): same forms. Default: now.")
@click.option("--tick", type=click.FloatRange(min=0.1), help="Seconds between time-based checks.")
@click.option("--silences", is_flag=True, help="Apply the silences recorded on the alerts topic.")
@click.option("--json", "as_json", is_flag=True, help="One JSON document instead of tables.")
@pass_settings
def backtest(
    settings: Settings,
    rules_path: Path | None,
    start: Bound | None,
    end: Bound | None,
    tick: float | None,
    silences: bool,
    as_json: bool,
) -> None:
    """Run the alert rules over recorded history, the event times as the clock.

    Reports what would have fired, when and how often. Reads the jobs, pipeline, windows
    and resources topics without joining a consumer group; sends no message, produces nothing.
    """
    alerter, rules = _configuration(rules_path)
    now = datetime.now(UTC)
    events = _history(settings, alerter, start, end, silences)
    stop = end.time if end is not None else now
    report = run_backtest(
        events,
        settings.monitoring,
        alerter,
        rules,
        start=start.time if start else None,
        end=stop,
        tick_seconds=tick,
        missed_reports=settings.health.missed_reports,
    )
    _emit(report, as_json)


def _configuration(rules_path: Path | None) -> tuple[AlerterSettings, RulesFile | None]:
    try:
        alerter = load(AlerterSettings)
        path = rules_path or alerter.rules_file
        return alerter, load_rules_file(path) if path else None
    except (SettingsError, RulesFileError) as exc:
        raise click.UsageError(str(exc)) from None


def _history(
    settings: Settings,
    alerter: AlerterSettings,
    start: Bound | None,
    end: Bound | None,
    silences: bool,
) -> list[Event]:
    topics = declare_topics(settings.kafka.topic_prefix)
    names = [topics.jobs.name, topics.pipeline.name, topics.windows.name, topics.resources.name]
    if alerter.health_topic:
        names.append(alerter.health_topic)
    codec = AvroCodec(SchemaRegistry(settings.paths.schema_dir))
    reader = HistoryReader(
        connection_config(settings.kafka), lambda data: decode_event(data, codec)
    )
    try:
        records: list[Record[Event]] = read_inputs(reader, names, start, end)
        if silences:
            records += read_silences(reader, topics.alerts.name, end)
    except LookupError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        reader.close()
    return in_event_time_order(records)


def _emit(report: Report, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(report_json(report), indent=2))
        return
    Console(highlight=False).print(report_tables(report))

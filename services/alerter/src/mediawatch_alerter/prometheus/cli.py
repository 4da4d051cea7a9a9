"""``mediawatch prometheus rules``: the Prometheus rule files for this environment's settings."""

from __future__ import annotations

from pathlib import Path

import click

from mediawatch_alerter.prometheus.files import render, write_rule_files
from mediawatch_alerter.prometheus.thresholds import RuleThresholds
from mediawatch_alerter.settings import AlerterSettings, load
from mediawatch_common.cli.context import pass_settings
from mediawatch_common.settings import Settings, SettingsError


@click.group("prometheus")
def prometheus() -> None:
    """Files for a Prometheus that watches Mediawatch."""


@prometheus.command("rules")
@click.option(
    "--output",
    type=click.Path(file_okay=False, writable=True, path_type=Path),
    help="Directory to write rules/*.yml and node-exporter/*.yml into (infra/prometheus "
    "rewrites the checked-in files). Default: print every file to stdout.",
)
@pass_settings
def rules(settings: Settings, output: Path | None) -> None:
    """Render the recording and alerting rules with the thresholds of the MONITORING_*,
    HEALTH_CHECK_CONSUMER_LAG_THRESHOLD, ALERTER_MIN_WINDOW_ATTEMPTS and
    ALERTER_RESOURCE_FOR_SECONDS settings, as the built-in alerter reads them."""
    try:
        alerter = load(AlerterSettings)
    except SettingsError as exc:
        raise click.UsageError(str(exc)) from None
    thresholds = RuleThresholds.from_settings(settings.monitoring, settings.health, alerter)
    if output is None:
        for path, text in render(thresholds).items():
            click.echo(f"# ---- {path}\n{text}")
        return
    for written in write_rule_files(thresholds, output):
        click.echo(str(written))

"""The whole Kafka side of the cost report: one declaration with the consumer kit."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import click

from mediawatch_common.cli.context import pass_settings
from mediawatch_common.consumer_kit import Consumer, run_consumer
from mediawatch_common.events import StageCompleted
from mediawatch_common.settings import Settings
from mediawatch_cost_report.ledger import CostLedger


def write_report(ledger: CostLedger, path: Path) -> None:
    """Replace the report file with the current totals (atomically)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".tmp")
    partial.write_text(json.dumps([asdict(row) for row in ledger.rows()], indent=2))
    partial.replace(path)


def cost_report(ledger: CostLedger, path: Path) -> Consumer:
    """The consumer: completed stages into ``ledger``, the report rewritten after each batch."""
    return Consumer(
        name="cost-report",
        topics=("pipeline",),
        handlers={StageCompleted: ledger.add},
        start="earliest",  # a new report back-fills from the whole history
        on_batch_end=lambda: write_report(ledger, path),
    )


@click.command("cost-report")
@click.option(
    "--output",
    type=click.Path(path_type=Path),
    default=Path("temp/cost-report.json"),
    show_default=True,
    help="JSON file the report is written to.",
)
@pass_settings
def command(settings: Settings, output: Path) -> None:
    """CPU cost per user and stage, back-filled from the pipeline history."""
    run_consumer(cost_report(CostLedger(), output), settings)

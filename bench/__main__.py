"""Run the benchmarks: `uv run python -m bench [--quick]` (the stack must be up)."""

from __future__ import annotations

import json
import os
import platform
import sys
import time
from datetime import UTC, datetime

import click
import psutil
from rich.console import Console
from rich.table import Table

from bench.figures import ALL
from bench.model import REPO, Context, Figure, FigureFn
from mediawatch_common.settings import KafkaSettings, SettingsError, load_group


def machine() -> dict[str, object]:
    return {
        "cores": os.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "cpu": platform.processor() or platform.machine(),
        "python": platform.python_version(),
    }


def number(value: float) -> str:
    """Three significant digits below 100, thousands separators above."""
    if value >= 100:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def render(figures: list[Figure], about: dict[str, object]) -> Table:
    table = Table(
        title=f"Mediawatch benchmarks — {about['cores']} cores, {about['memory_gib']} GiB"
    )
    for column in ("figure", "ours", "baseline (same run)", "ratio", "target", "met"):
        table.add_column(column)
    for f in figures:
        base = f"{number(f.baseline)} ({f.baseline_name})" if f.baseline else f.baseline_name
        ratio = f"{f.ratio:.0%}" if f.ratio is not None else "—"
        met = {True: "[green]yes[/green]", False: "[red]no[/red]", None: "—"}[f.met]
        table.add_row(f.name, f"{number(f.ours)} {f.unit}", base, ratio, f.target, met)
    return table


def failed(measure: FigureFn, exc: Exception) -> Figure:
    """The row of a figure whose measurement raised: no number, the error in the notes."""
    return Figure(
        name=measure.__name__,
        unit="",
        ours=0.0,
        baseline=None,
        baseline_name="—",
        target="measured",
        met=False,
        notes=f"FAILED: {type(exc).__name__}: {exc}"[:2000],
    )


@click.command()
@click.option("--quick", is_flag=True, help="Small sizes: finishes in a few minutes.")
@click.option("--bootstrap", default=None, help="Brokers; default: KAFKA_BOOTSTRAP_SERVERS.")
@click.option(
    "--only", multiple=True, help="Measure only these figures (function names); repeatable."
)
def main(quick: bool, bootstrap: str | None, only: tuple[str, ...]) -> None:
    """Measure each figure beside its baseline; write bench/results/latest.json."""
    try:
        kafka = load_group(KafkaSettings)
    except SettingsError as exc:
        raise click.UsageError(str(exc)) from None
    secure = ("KAFKA_SECURITY_PROTOCOL", "KAFKA_SASL_", "KAFKA_SSL_")
    ctx = Context(
        bootstrap=bootstrap or kafka.bootstrap_servers,
        # Checked above; services started by the run read them again from their environment.
        security={k: v for k, v in os.environ.items() if k.startswith(secure)},
        quick=quick,
        repeats=3 if quick else 5,
        # A Kafka tool run is mostly JVM start-up at quick sizes: once per figure in quick mode.
        tool_repeats=1 if quick else 0,
        events=20_000 if quick else 500_000,
    )
    err = Console(stderr=True)
    figures: list[Figure] = []
    chosen = [m for m in ALL if not only or m.__name__ in only]
    began = time.monotonic()
    timings: dict[str, float] = {}
    try:
        for measure in chosen:
            err.print(f"[dim]measuring {measure.__name__}…[/dim]")
            start = time.monotonic()
            try:
                got = measure(ctx)
            except Exception as exc:
                err.print(f"[red]{measure.__name__} failed:[/red] {exc}")
                got = failed(measure, exc)
            figures.extend(got if isinstance(got, list) else [got])
            timings[measure.__name__] = round(time.monotonic() - start, 1)
            err.print(f"[dim]  {timings[measure.__name__]:.0f} s[/dim]")
    finally:
        ctx.cleanup()
    about = machine()
    peaks = {name: round(max(v), 1) for name, v in ctx.memory.items() if v}
    result = {
        "date": datetime.now(UTC).isoformat(),
        "mode": "quick" if quick else "full",
        "events_per_run": ctx.events,
        "repeats": ctx.repeats,
        "tool_repeats": ctx.tool_runs,
        "figure_seconds": timings,
        "seconds": round(time.monotonic() - began, 1),
        "machine": about,
        "figures": [f.as_json() for f in figures],
        "peak_rss_mib": peaks,
    }
    out = REPO / "bench" / "results" / ("partial.json" if only else "latest.json")
    out.write_text(json.dumps(result, indent=2))
    out_console = Console()
    out_console.print(render(figures, about))
    for f in figures:
        if f.notes:
            out_console.print(f"[bold]{f.name}[/bold]: {f.notes}", highlight=False)
    rss = ", ".join(f"{k} {v:.0f} MiB" for k, v in peaks.items())
    out_console.print(f"[bold]peak RSS per service[/bold]: {rss or '—'}", highlight=False)
    out_console.print(f"whole run {result['seconds']} s; per figure: {timings}", highlight=False)
    err.print(f"written {out.relative_to(REPO)}")


if __name__ == "__main__":
    sys.exit(main())

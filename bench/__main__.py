"""Run the benchmarks: `uv run python -m bench [--quick]` (the stack must be up)."""

from __future__ import annotations

import json
import os
import platform
import sys
from datetime import UTC, datetime

import click
import psutil
from rich.console import Console
from rich.table import Table

from bench.figures import ALL
from bench.model import REPO, Context, Figure


def machine() -> dict[str, object]:
    return {
        "cores": os.cpu_count(),
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "cpu": platform.processor() or platform.machine(),
        "python": platform.python_version(),
    }


def render(figures: list[Figure], about: dict[str, object]) -> Table:
    table = Table(
        title=f"Mediawatch benchmarks — {about['cores']} cores, {about['memory_gib']} GiB"
    )
    for column in ("figure", "ours", "baseline (same run)", "ratio", "target", "met"):
        table.add_column(column)
    for f in figures:
        base = f"{f.baseline:,.0f} ({f.baseline_name})" if f.baseline else f.baseline_name
        ratio = f"{f.ratio:.0%}" if f.ratio is not None else "—"
        met = {True: "[green]yes[/green]", False: "[red]no[/red]", None: "—"}[f.met]
        table.add_row(f.name, f"{f.ours:,.0f} {f.unit}", base, ratio, f.target, met)
    return table


@click.command()
@click.option("--quick", is_flag=True, help="Small sizes: finishes in a few minutes.")
@click.option("--bootstrap", default="127.0.0.1:9092", show_default=True)
def main(quick: bool, bootstrap: str) -> None:
    """Measure each figure beside its baseline; write bench/results/latest.json."""
    ctx = Context(
        bootstrap=bootstrap,
        quick=quick,
        repeats=3 if quick else 5,
        events=50_000 if quick else 500_000,
    )
    err = Console(stderr=True)
    figures = []
    try:
        for measure in ALL:
            err.print(f"[dim]measuring {measure.__name__}…[/dim]")
            figures.append(measure(ctx))
    finally:
        ctx.cleanup()
    about = machine()
    result = {
        "date": datetime.now(UTC).isoformat(),
        "mode": "quick" if quick else "full",
        "events_per_run": ctx.events,
        "repeats": ctx.repeats,
        "machine": about,
        "figures": [f.as_json() for f in figures],
    }
    out = REPO / "bench" / "results" / "latest.json"
    out.write_text(json.dumps(result, indent=2))
    Console().print(render(figures, about))
    err.print(f"written {out.relative_to(REPO)}")


if __name__ == "__main__":
    sys.exit(main())

"""Profile a service the way the benchmark runs it: ``uv run python -m bench.profile projector``.

Fills the pipeline topic of a unique prefix with synthetic sessions (``bench/load.py``), runs
``mediawatch run projector`` (or ``mediawatch rebuild``) under pyinstrument on a fresh schema
until it has projected everything, and writes pyinstrument's text report (and the HTML one
next to it); topics, schema and processes are removed at the end.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import click

from bench.figures.projector import Positions
from bench.load import check, pipeline_history
from bench.model import REPO, Context
from bench.pg import database_url, drop_schema, fresh_schema
from bench.services import (
    MEDIAWATCH,
    Service,
    deployment_topics,
    end_offsets,
    produce_raw,
    raw_producer,
    tag,
    wait_until,
    workdir,
)

PYINSTRUMENT = Path(sys.executable).parent / "pyinstrument"


@click.command()
@click.argument("what", type=click.Choice(["projector", "rebuild"]))
@click.option("--events", default=30_000, show_default=True)
@click.option("--out", type=click.Path(path_type=Path), default=None)
def main(what: str, events: int, out: Path | None) -> None:
    """Run WHAT under pyinstrument over EVENTS events; print where the time goes."""
    ctx = Context(bootstrap="127.0.0.1:9092", quick=True, repeats=1, events=events)
    out = out or REPO / "bench" / "results" / f"profile-{what}.txt"
    try:
        url = database_url()
        label = tag()
        prefix = f"bench.prof{label}"
        topic = deployment_topics(ctx, prefix).pipeline.name
        start = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=2)
        items = list(pipeline_history(f"f{label}", events, start))
        check(items)
        produce_raw(raw_producer(ctx.connection), topic, ((i.key, i.value, None) for i in items))
        ends = end_offsets(ctx, topic)
        schema = f"bench_prof_{label}"
        if what == "projector":
            fresh_schema(ctx, url, schema)
        else:  # rebuild creates the schema (through its staging twin) itself
            ctx.defer(lambda: drop_schema(url, schema))
            ctx.defer(lambda: drop_schema(url, f"{schema}_rebuild"))
        group = f"bench-prof-{label}"
        work = workdir(ctx, "profile")
        env = {
            **os.environ,
            **ctx.service_env(),
            "KAFKA_TOPIC_PREFIX": prefix,
            "DATABASE_URL": url,
            "DATABASE_SCHEMA": schema,
            "PROJECTOR_GROUP_ID": group,
            "LOG_DIR": str(work / "logs"),
            "LOG_CONSOLE": "false",
            "METRICS_PORT": "0",  # the demo's projector may hold the default port
        }
        command = ["run", "projector"] if what == "projector" else ["rebuild"]
        argv = [str(PYINSTRUMENT), "-r", "text", "-o", str(out), str(MEDIAWATCH), *command]
        launched = time.monotonic()
        svc = Service(what, argv, env, work)
        ctx.defer(svc.stop)
        if what == "projector":
            watch = Positions(url, schema, group, topic)
            ctx.defer(watch.close)

            def done() -> bool:
                svc.alive()
                stored = watch()
                return all(stored.get(p, 0) >= end for p, end in ends.items())

            wait_until(done, 900, "the projector", 0.1)
            svc.stop()
        else:
            svc.proc.wait(timeout=900)
            svc.stop()
        click.echo(f"{what}: {events:,} events in {time.monotonic() - launched:.1f} s (profiled)")
        click.echo(f"report: {out}")
    finally:
        ctx.cleanup()


if __name__ == "__main__":
    main()

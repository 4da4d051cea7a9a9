"""``mediawatch rebuild`` over N events of the pipeline topic of a unique prefix.

The topic is filled with whole synthetic sessions (``bench/load.py``); the rebuild runs as a
subprocess (``DATABASE_SCHEMA`` a schema that does not exist yet, so it builds the staging
schema from zero and renames it into place) and is timed from its launch to its exit: start-up,
migrations of the staging schema, reading every topic from offset zero, projecting, and the
switch. ``pipeline_events`` of the result is counted against the events produced.

Target: < 60 s for 1,000,000 events. Quick mode rebuilds 100,000 events and reports the time
extrapolated to 1,000,000: the fixed part (start-up, migrating the staging schema, the switch)
once, plus the reading-and-projecting part, which the command reports on its own, scaled
linearly (one pass, batches of 5000). Quick mode runs it once; full mode takes the median of
``ctx.repeats``. Baseline: the projector figure's psycopg COPY
rate of the same kind of rows, measured earlier in the same run, when that figure ran.
"""

from __future__ import annotations

import os
import re
import time
from datetime import UTC, datetime, timedelta
from typing import cast

from bench.figures import projector
from bench.load import check, pipeline_history
from bench.model import Context, Figure, median
from bench.pg import database_url, drop_schema
from bench.services import (
    MEDIAWATCH,
    Service,
    deployment_topics,
    produce_raw,
    raw_producer,
    tag,
    workdir,
)
from mediawatch_store import connect

FULL = 1_000_000


def sizes(ctx: Context) -> tuple[int, int]:
    """Events, and how many rebuilds."""
    return (100_000, 1) if ctx.quick else (FULL, ctx.repeats)


def projecting_seconds(said: str) -> float | None:
    """The reading-and-projecting seconds from the command's summary line."""
    found = re.search(r"([\d.]+) s of it reading and projecting", said)
    return float(found.group(1)) if found else None


def extrapolated(wall: float, projecting: float | None, n: int, full: int = 1_000_000) -> float:
    """Seconds for ``full`` events: the fixed part once, the per-event part scaled."""
    if projecting is None:
        return wall * full / n
    return wall - projecting + projecting * full / n


def rebuild_once(ctx: Context, url: str, prefix: str, n: int) -> tuple[float, float, str, float]:
    """One rebuild into a fresh schema: (wall seconds, peak MiB, its own summary line, CPU
    seconds of the command as last sampled)."""
    label = tag()
    schema = f"bench_reb_{label}"
    ctx.defer(lambda: drop_schema(url, schema))
    ctx.defer(lambda: drop_schema(url, f"{schema}_rebuild"))
    work = workdir(ctx, "rebuild")
    env = {
        **os.environ,
        **ctx.service_env(),
        "KAFKA_TOPIC_PREFIX": prefix,
        "DATABASE_URL": url,
        "DATABASE_SCHEMA": schema,
        "PROJECTOR_GROUP_ID": f"bench-reb-{label}",
        "LOG_DIR": str(work / "logs"),
        "LOG_CONSOLE": "false",
    }
    began = time.monotonic()
    svc = Service("rebuild", [str(MEDIAWATCH), "rebuild"], env, work)
    ctx.defer(svc.stop)
    code = svc.proc.wait(timeout=900)
    seconds = time.monotonic() - began
    output = svc.tail()
    svc.stop()
    if code != 0:
        raise RuntimeError(f"rebuild exited {code}: {output}")
    with connect(url, schema) as conn:
        found = conn.execute("SELECT count(*) FROM pipeline_events").fetchone()
    if found is None or int(cast("int", found[0])) != n:
        raise RuntimeError(f"rebuild projected {found} pipeline events, {n} produced")
    said = re.findall(r"rebuilt .*", output)
    drop_schema(url, schema)
    return seconds, svc.peak_mib, said[-1] if said else "", svc.cpu_seconds


def rebuild_events(ctx: Context) -> Figure:
    n, runs = sizes(ctx)
    url = database_url()
    label = tag()
    prefix = f"bench.reb{label}"
    topic = deployment_topics(ctx, prefix).pipeline.name
    start = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=3)
    items = list(pipeline_history(f"r{label}", n, start))
    check(items)
    produce_raw(raw_producer(ctx.connection), topic, ((i.key, i.value, None) for i in items))
    del items
    seconds, rss, said, cpu = [], [], [], []
    for _ in range(runs):
        s, mib, line, used = rebuild_once(ctx, url, prefix, n)
        cpu.append(used / n * 1e6)
        seconds.append(s)
        rss.append(mib)
        said.append(line)
    ctx.memory["rebuild"] = rss
    wall = median(seconds)
    scaled = median(
        [
            extrapolated(s, projecting_seconds(line), n, FULL)
            for s, line in zip(seconds, said, strict=True)
        ]
    )
    copy_rate = projector.LAST_RATE.get("copy")
    return Figure(
        name=f"rebuild {n:,} events (seconds, launch to exit)",
        unit="s",
        ours=wall,
        baseline=n / copy_rate if copy_rate else None,
        baseline_name=(
            "the same number of rows at the projector figure's COPY rate"
            if copy_rate
            else "— (projector figure not run)"
        ),
        target="< 60 s for 1,000,000",
        met=scaled < 60,
        samples={"seconds": seconds, "cpu_us_per_event": cpu},
        notes=(
            f"{n / wall:,.0f} events/s; "
            + (
                f"extrapolated to 1,000,000 events (fixed part once, projecting part scaled): "
                f"{scaled:.0f} s; "
                if n != FULL
                else ""
            )
            + f"{runs} run(s); the command said: {' | '.join(said)}; "
            f"the command's CPU median {median(cpu):.0f} µs/event; peak RSS {max(rss):.0f} MiB"
        ),
    )

"""The projector into PostgreSQL, exactly once, against a psycopg COPY of the same rows.

The pipeline topic of a unique prefix is filled once with whole sessions (StageStarted +
StageCompleted per stage, 10 % of the sessions failing; ``bench/load.py``). Each repetition
migrates a fresh schema (untimed), then launches ``mediawatch run projector`` with its own
``PROJECTOR_GROUP_ID`` on that schema and times it **from the launch** until the positions it
stores in ``consumer_positions`` reach the topic's end offsets: start-up (imports, migration
check, group join) is part of the figure, as it is of a real restart. The time from the launch
to the first stored position is reported as the start-up, and the rate after it as the
steady rate. After each repetition the tables are counted against what was produced
(``pipeline_events`` = events, ``stage_runs`` = stage attempts, the attempts summed over
``stage_minutes`` = completions): exactly once, or the figure fails.

Baseline: the ``pipeline_events`` rows the projector writes for the same events (decoded and
built with its own decoder and pure ``build_rows``), COPYed with psycopg in the same binary
format the projector uses into an unindexed twin of that table; only the COPY and its commit
are timed.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import NamedTuple, cast

from bench.load import Item, check, pipeline_history
from bench.model import Context, Figure, median
from bench.pg import database_url, drop_schema, fresh_schema
from bench.services import (
    Service,
    deployment_topics,
    end_offsets,
    produce_raw,
    raw_producer,
    service,
    tag,
    wait_until,
    workdir,
)
from mediawatch_common.events import default_codec
from mediawatch_common.kafka import Record
from mediawatch_projector.batch_writes import _PIPELINE, PIPELINE_TYPES
from mediawatch_projector.bulk import copy_rows
from mediawatch_projector.event_rows import build_rows
from mediawatch_projector.message_decoding import make_decoder
from mediawatch_store import connect

LAST_RATE: dict[str, float] = {}
"""The median COPY rate of the last run of this figure (the rebuild figure's baseline)."""


PROCESSES = 2
"""Projector processes (``PROJECTOR_PROCESSES``) of the figure: one decodes on one core, and a
second uses the machine's other core."""


def sizes(ctx: Context) -> int:
    return 200_000 if ctx.quick else 1_000_000


class Positions:
    """Reads a group's stored positions over one connection, held open while it watches: a
    connection per poll (every 50 ms) cost the machine ~10 % of a core in authentication."""

    def __init__(self, url: str, schema: str, group: str, topic: str) -> None:
        self._conn = connect(url, schema)
        self._conn.autocommit = True
        self._args = (group, topic)

    def __call__(self) -> dict[int, int]:
        rows = self._conn.execute(
            "SELECT partition, next_offset FROM consumer_positions "
            "WHERE group_id = %s AND topic = %s",
            self._args,
        ).fetchall()
        return {int(p): int(o) for p, o in cast("list[tuple[int, int]]", rows)}

    def close(self) -> None:
        self._conn.close()


def counts(url: str, schema: str) -> tuple[int, int, int]:
    with connect(url, schema) as conn:
        found = conn.execute(
            "SELECT (SELECT count(*) FROM pipeline_events), (SELECT count(*) FROM stage_runs), "
            "(SELECT COALESCE(sum(attempts), 0) FROM stage_minutes)"
        ).fetchone()
    assert found is not None
    runs, rows, attempts = cast("tuple[int, int, int]", found)
    return int(runs), int(rows), int(attempts)


class Run(NamedTuple):
    """One projector run over the whole topic."""

    seconds: float
    """From the launch until the stored positions reach the end offsets."""
    startup: float
    """From the launch to the first stored position (its first batch written)."""
    peak_mib: float
    found: tuple[int, int, int]
    """Rows of pipeline_events and stage_runs, and the attempts summed over stage_minutes."""
    cpu_per_event: float
    """CPU seconds the projector used per event after start-up."""
    after_startup: int
    """Events projected after the first stored position."""

    @property
    def running_rate(self) -> float:
        """Events per second from the first stored position to the end."""
        return self.after_startup / max(self.seconds - self.startup, 1e-9)


def run_once(
    ctx: Context,
    url: str,
    prefix: str,
    topic: str,
    ends: dict[int, int],
    r: int,
    processes: int = 1,
) -> Run:
    """One projector run on a fresh schema, timed from the launch and from its first stored
    position to the end positions."""
    label = tag()
    schema = fresh_schema(ctx, url, f"bench_proj_{label}")
    group = f"bench-proj-{label}"
    work = workdir(ctx, f"projector-{r}")
    env = {
        **ctx.service_env(),
        "KAFKA_TOPIC_PREFIX": prefix,
        "DATABASE_URL": url,
        "DATABASE_SCHEMA": schema,
        "PROJECTOR_GROUP_ID": group,
        "PROJECTOR_PROCESSES": str(processes),
    }
    first: list[float] = []
    at_first: list[float] = []  # CPU seconds and events projected then

    stored = Positions(url, schema, group, topic)

    def done(svc: Service) -> bool:
        svc.alive()
        found = stored()
        if found and not first:
            first.append(time.monotonic())
            at_first.extend((svc.cpu_now(), sum(found.values())))
        return all(found.get(p, 0) >= end for p, end in ends.items() if end > 0)

    launched = time.monotonic()
    svc = service(ctx, "projector", env, work)
    try:
        finished = wait_until(lambda: done(svc), 600, "the projector's positions", 0.05)
        cpu, events = svc.cpu_now(), sum(ends.values())
    finally:
        svc.stop()
        stored.close()
    startup = (first[0] if first else finished) - launched
    after = events - int(at_first[1]) if at_first else events
    if at_first and after > 0:
        cpu = (cpu - at_first[0]) / after
    else:
        cpu /= events
    found = counts(url, schema)
    drop_schema(url, schema)
    return Run(finished - launched, startup, svc.peak_mib, found, cpu, after)


def copy_baseline(ctx: Context, url: str, items: list[Item], topic: str) -> list[float]:
    """COPY the projector's pipeline_events rows into an unindexed twin; a rate per repeat."""
    decode = make_decoder(default_codec())
    records = [
        Record(topic, 0, offset, item.key.encode(), 0, decode(item.value))
        for offset, item in enumerate(items)
    ]
    rows = build_rows(records).pipeline_events
    schema = fresh_schema(ctx, url, f"bench_copy_{tag()}")
    rates = []
    try:
        with connect(url, schema) as conn:
            # LIKE copies columns and NOT NULLs, not the index (session_id, event_time)
            conn.execute("CREATE TABLE copy_target (LIKE pipeline_events)")
            conn.commit()
            for _ in range(ctx.repeats):
                conn.execute("TRUNCATE copy_target")
                conn.commit()
                began = time.perf_counter()
                copy_rows(conn, "copy_target", _PIPELINE, rows, PIPELINE_TYPES)
                conn.commit()
                rates.append(len(rows) / (time.perf_counter() - began))
    finally:
        drop_schema(url, schema)
    return rates


def projector_throughput(ctx: Context) -> Figure:
    n = sizes(ctx)
    url = database_url()
    label = tag()
    prefix = f"bench.proj{label}"
    topics = deployment_topics(ctx, prefix)
    topic = topics.pipeline.name
    start = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=2)
    items = list(pipeline_history(f"p{label}", n, start))
    check(items)
    produce_raw(raw_producer(ctx.connection), topic, ((i.key, i.value, None) for i in items))
    ends = end_offsets(ctx, topic)
    expected = (
        n,
        len({(i.key, i.stage) for i in items}),
        sum(1 for i in items if i.completed),
    )
    ours, launched, startups, rss, cpu, single, single_cpu = ([] for _ in range(7))
    problems: list[str] = []
    for r in range(ctx.repeats):
        for processes in (PROCESSES, 1):
            run = run_once(ctx, url, prefix, topic, ends, r, processes)
            if run.found != expected:
                problems.append(f"run {r}: tables {run.found} != produced {expected}")
            if processes == 1:
                single.append(run.running_rate)
                single_cpu.append(run.cpu_per_event * 1e6)
                continue
            cpu.append(run.cpu_per_event * 1e6)
            ours.append(run.running_rate)
            launched.append(n / run.seconds)
            startups.append(run.startup)
            rss.append(run.peak_mib)
    if problems:
        raise RuntimeError("not exactly once: " + "; ".join(problems))
    ctx.memory["projector"] = rss
    base = copy_baseline(ctx, url, items, topic)
    mine, theirs = median(ours), median(base)
    LAST_RATE["copy"] = theirs
    return Figure(
        name=f"projector events/s into PostgreSQL, exactly once (running, {PROCESSES} processes)",
        unit="events/s",
        ours=mine,
        baseline=theirs,
        baseline_name="psycopg binary COPY of the same pipeline_events rows, unindexed table",
        target=">= 50% of baseline and >= 30,000 events/s",
        met=mine >= 0.5 * theirs and mine >= 30_000,
        samples={
            "ours": ours,
            "baseline": base,
            "startup_s": startups,
            "from_launch": launched,
            "cpu_us_per_event": cpu,
            "one_process": single,
            "one_process_cpu_us_per_event": single_cpu,
        },
        notes=(
            f"{n:,} events ({expected[2]:,} StageCompleted, {expected[1]:,} stage runs) in "
            f"{topics.pipeline.partitions} partitions; a fresh schema and group per run; "
            f"the rate is the running service's, from its first stored position to the end, "
            f"with PROJECTOR_PROCESSES={PROCESSES} (members of one group); one process: median "
            f"{median(single):,.0f} events/s, {median(single_cpu):.0f} µs of CPU per event; "
            f"start-up (launch to the first stored position) median {median(startups):.1f} s; "
            f"from the launch median {median(launched):,.0f} events/s; the projector's CPU "
            f"after start-up median {median(cpu):.0f} µs/event; tables matched the events "
            f"exactly in every run; peak RSS {max(rss):.0f} MiB."
        ),
    )

"""Cost per event as volume grows: the producer and the projector at two sizes.

Quick mode measures the producer at 10,000 and 30,000 events and the projector at 20,000 and
60,000 (its start-up needs a few batches to be left out fairly), full mode both at 100,000 and
1,000,000. The producer is
the libs/common producer (Avro encode + idempotent produce, as in the produce figure); the
projector is ``mediawatch run projector`` on a fresh schema and group (as in the projector
figure), timed from its first stored position to the topic's end, so that its start-up does not
weigh on the small size; its peak RSS is sampled every 0.1 s. A streaming service should show a
flat cost per event and a flat peak RSS: the figure is the larger of the two growth ratios
(large size / small size), met when both stay under 1.5.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bench.figures.produce import ours_once as produce_once
from bench.figures.projector import run_once
from bench.load import pipeline_history
from bench.model import Context, Figure
from bench.pg import database_url
from bench.services import deployment_topics, end_offsets, produce_raw, raw_producer, tag

LIMIT = 1.5


def volumes(ctx: Context, projector: bool = False) -> tuple[int, int]:
    """Small and large size: the producer's, or the projector's."""
    if not ctx.quick:
        return (100_000, 1_000_000)
    return (20_000, 60_000) if projector else (10_000, 30_000)


def projector_at(ctx: Context, n: int) -> tuple[float, float]:
    """µs per event after start-up, and peak RSS (MiB), of one projector run over ``n``."""
    url = database_url()
    label = tag()
    prefix = f"bench.scale{label}"
    topic = deployment_topics(ctx, prefix).pipeline.name
    minutes = max(60, n // 2_000)  # about 2,000 events a minute, in the past
    start = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(minutes=minutes + 10)
    items = pipeline_history(f"s{label}", n, start, minutes)
    produce_raw(raw_producer(ctx.connection), topic, ((i.key, i.value, None) for i in items))
    run = run_once(ctx, url, prefix, topic, end_offsets(ctx, topic), 0)
    if run.found[0] != n:
        raise RuntimeError(f"projector at {n:,}: {run.found[0]:,} pipeline events projected")
    return (run.seconds - run.startup) / n * 1e6, run.peak_mib


def volume_scaling(ctx: Context) -> Figure:
    small, large = volumes(ctx)
    produce = {
        n: 1e6 / produce_once(ctx, ctx.new_topic(f"scale-produce-{n}"), n) for n in (small, large)
    }
    few, many = volumes(ctx, projector=True)
    project = {n: projector_at(ctx, n) for n in (few, many)}
    growth = {
        "produce µs/event": produce[large] / produce[small],
        "projector µs/event": project[many][0] / project[few][0],
        "projector peak RSS": project[many][1] / project[few][1],
    }
    worst = max(growth.values())
    ctx.memory["projector (scale)"] = [project[few][1], project[many][1]]
    return Figure(
        name=f"cost per event and peak RSS, {many:,} events over {few:,}",
        unit="x",
        ours=worst,
        baseline=None,
        baseline_name="the same code at the small size",
        target=f"flat: every growth ratio < {LIMIT}",
        met=worst < LIMIT,
        samples={
            "produce_us_per_event": [produce[small], produce[large]],
            "projector_us_per_event": [project[few][0], project[many][0]],
            "projector_peak_rss_mib": [project[few][1], project[many][1]],
        },
        notes=(
            f"produce {produce[small]:.1f} -> {produce[large]:.1f} µs/event ({small:,} -> "
            f"{large:,} events); projector {project[few][0]:.1f} -> {project[many][0]:.1f} "
            f"µs/event after start-up, peak RSS {project[few][1]:.0f} -> "
            f"{project[many][1]:.0f} MiB; growth: "
            + ", ".join(f"{k} x{v:.2f}" for k, v in growth.items())
        ),
    )

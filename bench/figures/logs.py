"""Log shipping: caller time of one ``log.info`` with shipping off, on, and with the broker
unreachable.

Three loggers each get the real logging setup of a process (the four JSON files, in a
temporary directory); the second adds the shipper producing to a fresh topic, the third the
shipper pointed at a port nothing listens on. Batches of 500 records go to the three in turn,
so the load of a shared machine hits them alike; after each batch an untimed wait lets the
shipper's queue empty, so the timed calls never take the cheaper path of a full queue (the
dead broker's records are dropped by librdkafka's bounded buffer once it fills, as in an
outage).
"""

from __future__ import annotations

import logging
import tempfile
import time
import uuid
from pathlib import Path

from confluent_kafka.cimpl import NewTopic

from bench.model import Context, Figure, median
from mediawatch_common.kafka import declare_topics
from mediawatch_common.logs import LogShipper, configure_logging, ship_logs
from mediawatch_common.settings import Settings, load_settings

BATCH = 500
DEAD_BROKER = "127.0.0.1:9"
VARIANTS = ("off", "on", "dead")


def _settings(ctx: Context, bootstrap: str, prefix: str, log_dir: Path) -> Settings:
    return load_settings(
        {
            **ctx.security,
            "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
            "KAFKA_TOPIC_PREFIX": prefix,
            "LOG_DIR": str(log_dir),
            "LOG_CONSOLE": "false",
            "LOG_SHIP_FLUSH_SECONDS": "1",
        }
    )


def _logger(name: str, settings: Settings, shipper: LogShipper | None) -> logging.Logger:
    """A logger with a process's file handlers (and the shipper), apart from the root."""
    root = logging.getLogger()
    saved, level = list(root.handlers), root.level
    configure_logging(settings.log, name, [shipper] if shipper else [])
    handlers = list(root.handlers)
    root.handlers[:] = saved
    root.setLevel(level)
    logger = logging.getLogger(f"mediawatch_transcoder.bench_{name}")
    logger.handlers[:] = handlers
    logger.setLevel(logging.DEBUG)
    logger.propagate = False
    return logger


def _batch(log: logging.Logger, shipper: LogShipper | None, start: int) -> float:
    """Seconds of caller time for one batch; then waits (untimed) for the queue to empty."""
    began = time.perf_counter()
    for n in range(start, start + BATCH):
        log.info("stage completed", extra={"session_id": f"s-{n}", "stage": "merging",
                                           "duration_seconds": 1.5})  # fmt: skip
    spent = time.perf_counter() - began
    deadline = time.monotonic() + 10
    while shipper is not None and shipper.pending and time.monotonic() < deadline:
        time.sleep(0.001)
    return spent


def _measure(ctx: Context, prefix: str, tmp: Path, records: int) -> dict[str, list[float]]:
    """µs per record of each variant, one sample per repeat; dropped counts under '*_dropped'."""
    samples: dict[str, list[float]] = {f"{v}{s}": [] for v in VARIANTS for s in ("", "_dropped")}
    for _ in range(ctx.repeats):
        live, dead = (
            _settings(ctx, ctx.bootstrap, prefix, tmp),
            _settings(ctx, DEAD_BROKER, prefix, tmp),
        )
        shippers = {"off": None, "on": ship_logs(live, "bench"), "dead": ship_logs(dead, "bench")}
        loggers = {v: _logger(v, dead if v == "dead" else live, shippers[v]) for v in VARIANTS}
        spent = dict.fromkeys(VARIANTS, 0.0)
        for start in range(0, records, BATCH):
            for v in VARIANTS:
                spent[v] += _batch(loggers[v], shippers[v], start)
        for v in VARIANTS:
            for handler in loggers[v].handlers:
                handler.close()
            samples[v].append(spent[v] / records * 1e6)
            shipper = shippers[v]
            samples[f"{v}_dropped"].append(float(shipper.dropped) if shipper else 0.0)
    return samples


def log_shipping(ctx: Context) -> list[Figure]:
    """Caller µs per ``log.info`` with shipping on and with a dead broker, against off."""
    records = 5_000 if ctx.quick else 50_000
    prefix = f"bench.logship{uuid.uuid4().hex[:8]}"
    spec = declare_topics(prefix).logs
    ctx.admin().create_topics([NewTopic(spec.name, spec.partitions, 1)])[spec.name].result()
    ctx.topics.append(spec.name)  # deleted at the end of the run
    with tempfile.TemporaryDirectory() as tmp:
        samples = _measure(ctx, prefix, Path(tmp), records)
    off = median(samples["off"])
    rows = []
    for name, label in (("on", "broker up"), ("dead", "broker unreachable")):
        ours = median(samples[name])
        dropped = [int(d) for d in samples[f"{name}_dropped"]]
        rows.append(
            Figure(
                name=f"log.info caller time with shipping, {label}",
                unit="µs/record",
                ours=ours,
                baseline=off,
                baseline_name="shipping off (the four files only)",
                target="≤ +25 µs per record",
                met=ours - off <= 25,
                samples={"ours_us": samples[name], "off_us": samples["off"]},
                notes=f"{records:,} records per run, batches of {BATCH} alternating with the "
                f"other variants; records dropped per run: {dropped}",
            )
        )
    return rows

"""Metrics: CPU a service spends per Prometheus scrape, against an empty registry's scrape.

A separate process (:mod:`bench.metrics_server`) serves a transcoder's registry filled as
after 2,000 varied sessions (every stage, outcome and error code seen; the process and
Python collectors; consumer lag of 2 groups on 12 partitions; dead letters) with the same
``serve_metrics`` server ``mediawatch run`` starts, recording a stage completion at the start
of each scrape, so that no scrape finds the stage histogram unchanged. This process scrapes it
over HTTP
``n`` times; the serving process's CPU time (user + system, from ``/proc``) over the scrapes,
divided by ``n``, is the figure. The baseline is the same server with an empty registry:
the HTTP handling alone.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import urllib.request

import psutil

from bench.model import REPO, Context, Figure, median

TARGET_MS = 2.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _cpu_ms_per_scrape(kind: str, scrapes: int, rounds: int) -> tuple[list[float], int]:
    """CPU ms of the serving process per scrape, per round; and the series it serves."""
    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "bench.metrics_server", str(port), kind],
                              cwd=REPO, stdout=subprocess.PIPE)  # fmt: skip
    try:
        assert server.stdout is not None
        server.stdout.readline()  # "ready"
        proc = psutil.Process(server.pid)
        url = f"http://127.0.0.1:{port}/metrics"
        body = b""
        for _ in range(20):  # warm-up
            with urllib.request.urlopen(url, timeout=5) as response:
                body = response.read()
        samples = []
        for _ in range(rounds):
            before = proc.cpu_times()
            for _ in range(scrapes):
                with urllib.request.urlopen(url, timeout=5) as response:
                    response.read()
            after = proc.cpu_times()
            spent = (after.user - before.user) + (after.system - before.system)
            samples.append(spent * 1000 / scrapes)
        series = sum(1 for line in body.splitlines() if line and not line.startswith(b"#"))
        return samples, series
    finally:
        server.terminate()
        server.wait(timeout=10)


def scrape_cpu(ctx: Context) -> Figure:
    """CPU ms per scrape of a realistic registry; an empty registry's scrape beside."""
    scrapes = 100 if ctx.quick else 500
    ours, series = _cpu_ms_per_scrape("realistic", scrapes, ctx.repeats)
    empty, _ = _cpu_ms_per_scrape("empty", scrapes, ctx.repeats)
    value = median(ours)
    return Figure(
        name="metrics scrape CPU (transcoder registry)",
        unit="CPU ms/scrape",
        ours=value,
        baseline=median(empty),
        baseline_name="the same HTTP server with an empty registry",
        target=f"< {TARGET_MS:g} CPU ms per scrape",
        met=value < TARGET_MS,
        samples={"ours_cpu_ms": ours, "empty_cpu_ms": empty},
        notes=f"{series} series; {scrapes} scrapes per round, {ctx.repeats} rounds; CPU time "
        "of the serving process (user + system) over the scrapes; a stage completion is "
        "recorded at the start of each scrape, so each writes the histogram again",
    )

"""One scrape for every process of ``mediawatch run projector`` with several processes.

The command's own process serves ``METRICS_PORT``. Each member it starts serves its own
registry on a loopback socket the command opened for it and hands down (the same socket after a
restart). A scrape of ``METRICS_PORT`` reads every member's text at that moment, adds a
``process`` label to each sample ("1" for the command's own process, "2" to "N" for its
members) and merges the families, so one target shows each process's own counts, and
``mediawatch_projector_process_up`` says which members answered.
"""

from __future__ import annotations

import http.client
import socket
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait

from prometheus_client import REGISTRY

from mediawatch_common.metrics import MetricsServer
from mediawatch_common.metrics.exposition import TextExposition
from mediawatch_common.metrics.server import Render

MEMBER_TIMEOUT = 2.0
"""Seconds a scrape waits for a member's text; one that does not answer by then is left out."""

UP = "mediawatch_projector_process_up"
UP_HELP = (
    f"# HELP {UP} 1 when this scrape read the projector process's metrics, 0 when the "
    f"process did not answer (stopped or being started again).\n# TYPE {UP} gauge\n"
)


def member_socket() -> socket.socket:
    """A listening loopback socket on a free port, for one member's metrics."""
    listening = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listening.bind(("127.0.0.1", 0))
    listening.listen(16)
    return listening


def labelled(line: str, process: str) -> str:
    """A sample line with ``process="<process>"`` first among its labels."""
    brace, space = line.find("{"), line.find(" ")
    if 0 <= brace < space:
        rest = line[brace + 1 :]
        comma = "" if rest.startswith("}") else ","
        return f'{line[: brace + 1]}process="{process}"{comma}{rest}'
    return f'{line[:space]}{{process="{process}"}}{line[space:]}'


def merge(parts: Sequence[tuple[str, str]]) -> str:
    """The text-format expositions ``(process, text)`` as one: each family's HELP and TYPE
    once (from the first text that has it), then every process's samples, labelled."""
    heads: dict[str, list[str]] = {}
    bodies: dict[str, list[str]] = {"": []}
    for process, text in parts:
        fresh: set[str] = set()
        name = ""
        for line in text.splitlines():
            if line.startswith(("# HELP ", "# TYPE ")):
                name = line.split(" ", 3)[2]
                if name not in heads:
                    heads[name], bodies[name] = [], []
                    fresh.add(name)
                if name in fresh:
                    heads[name].append(line + "\n")
            elif line and not line.startswith("#"):
                bodies[name].append(labelled(line, process) + "\n")
    out = list(bodies[""])  # samples before any HELP or TYPE: untyped, kept first
    for name, head in heads.items():
        out += head
        out += bodies[name]
    return "".join(out)


def up_family(up: dict[str, bool]) -> str:
    """``mediawatch_projector_process_up`` for each process."""
    samples = "".join(f'{UP}{{process="{p}"}} {1.0 if ok else 0.0}\n' for p, ok in up.items())
    return UP_HELP + samples


def _fetch(port: int, timeout: float) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", "/metrics")
        response = connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise OSError(f"metrics of the member on port {port}: HTTP {response.status}")
    finally:
        connection.close()
    return body.decode()


class ProcessesExposition:
    """Renders this process's registry and its members' metrics (on ``ports``) as one."""

    def __init__(self, own: Render, ports: Sequence[int], timeout: float = MEMBER_TIMEOUT) -> None:
        self._own, self._ports, self._timeout = own, list(ports), timeout
        self._pool = ThreadPoolExecutor(max(1, len(self._ports)), "projector-member-scrape")

    def render(self) -> bytes:
        """One scrape: every process that answers within the timeout, labelled."""
        futures = [self._pool.submit(_fetch, port, self._timeout) for port in self._ports]
        parts, up = [("1", self._own().decode())], {"1": True}
        wait(futures, timeout=self._timeout)
        for n, future in enumerate(futures, start=2):
            text = _result(future)
            up[str(n)] = text is not None
            if text is not None:
                parts.append((str(n), text))
        return (merge(parts) + up_family(up)).encode()


def _result(future: Future[str]) -> str | None:
    if not future.done() or future.exception() is not None:
        return None
    return future.result()


def share_metrics(server: MetricsServer | None, members: int) -> list[socket.socket]:
    """Sockets for ``members`` members' metrics, merged into ``server``'s scrapes from now on.

    None when this process serves no metrics (``METRICS_PORT=0``) or runs alone.
    """
    if server is None or members == 0:
        return []
    sockets = [member_socket() for _ in range(members)]
    ports = [int(s.getsockname()[1]) for s in sockets]
    server.answer_with(ProcessesExposition(TextExposition(REGISTRY).render, ports).render)
    return sockets

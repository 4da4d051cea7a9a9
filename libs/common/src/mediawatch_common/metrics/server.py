"""The HTTP server that exposes a registry in Prometheus's text format."""

from __future__ import annotations

import errno
import logging
import socket
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, make_server

from prometheus_client import REGISTRY, CollectorRegistry
from prometheus_client.exposition import ThreadingWSGIServer

from mediawatch_common.metrics.exposition import CONTENT_TYPE, TextExposition
from mediawatch_common.settings import MetricsSettings

log = logging.getLogger(__name__)

DEFAULT_PORTS: dict[str, int] = {
    "transcoder": 9401,
    "aggregator": 9402,
    "alerter": 9403,
    "notifier": 9404,
    "projector": 9405,
    "health": 9406,
}
"""Default metrics port of each ``mediawatch run`` service: distinct, so all run on one host."""

OWN_HTTP = frozenset({"api"})
"""Services that serve ``/metrics`` on their own HTTP port, never on a second one."""


class MetricsPortError(Exception):
    """The metrics server cannot listen on its address (usually: the port is taken)."""


METRICS_SERVER = "mediawatch.metrics_server"
"""Key of the running :class:`MetricsServer` in the click context's ``meta`` of ``run``."""

Render = Callable[[], bytes]
"""The body of one scrape, in the text format."""


@dataclass(slots=True)
class MetricsServer:
    """A running exposition server; :meth:`close` stops it and frees the port."""

    host: str
    port: int
    _server: Any
    _app: MetricsApp

    def answer_with(self, render: Render) -> None:
        """Answer every scrape from now on with ``render()`` instead of the registry."""
        self._app.render = render

    def close(self) -> None:
        """Stop serving and close the listening socket."""
        self._server.shutdown()
        self._server.server_close()


def metrics_port(service: str, settings: MetricsSettings) -> int:
    """The port ``service`` serves metrics on: ``METRICS_PORT``, else its default, else 0."""
    if service in OWN_HTTP:
        return 0
    if settings.port is not None:
        return settings.port
    return DEFAULT_PORTS.get(service, 0)


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """No line per scrape on stderr."""


StartResponse = Callable[[str, list[tuple[str, str]]], Any]


class MetricsApp:
    """A WSGI app answering every GET with ``render()``: a registry in the text format."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.render: Render = TextExposition(registry).render

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD", "GET") not in ("GET", "HEAD"):
            start_response("405 Method Not Allowed", [("Allow", "GET, HEAD")])
            return [b""]
        body = self.render()
        headers = [("Content-Type", CONTENT_TYPE), ("Content-Length", str(len(body)))]
        start_response("200 OK", headers)
        return [body if environ.get("REQUEST_METHOD") != "HEAD" else b""]


def _server_class(family: int) -> Any:
    return type("MetricsHTTPServer", (ThreadingWSGIServer,), {"address_family": family})


def _start(server: Any, app: MetricsApp) -> MetricsServer:
    threading.Thread(target=server.serve_forever, name="metrics-http", daemon=True).start()
    host, port = server.server_address[:2]
    log.info("serving metrics", extra={"host": host, "port": port})
    return MetricsServer(str(host), int(port), server, app)


def serve_metrics_on(
    listening: socket.socket, registry: CollectorRegistry = REGISTRY
) -> MetricsServer:
    """Serve ``registry`` on a socket already bound and listening (one a parent process
    opened and handed down), in a daemon thread."""
    app = MetricsApp(registry)
    server = _server_class(listening.family)(
        listening.getsockname()[:2], _Quiet, bind_and_activate=False
    )
    server.socket.close()
    server.socket = listening
    # What binding would have set: the address and the WSGI environment's server name.
    server.server_address = listening.getsockname()
    server.server_name, server.server_port = server.server_address[:2]
    server.setup_environ()
    server.set_app(app)
    return _start(server, app)


def serve_metrics(
    service: str, settings: MetricsSettings, registry: CollectorRegistry = REGISTRY
) -> MetricsServer | None:
    """Serve ``registry`` at ``http://METRICS_HOST:port/metrics`` in a daemon thread.

    Returns ``None`` when the port is 0 (disabled).

    Raises:
        MetricsPortError: naming ``METRICS_PORT`` when the address is taken or not usable.
    """
    port = metrics_port(service, settings)
    if port == 0:
        return None
    family = socket.AF_INET6 if ":" in settings.host else socket.AF_INET
    app = MetricsApp(registry)
    try:
        server = make_server(settings.host, port, app, _server_class(family), handler_class=_Quiet)
    except OSError as exc:
        cause = "is already in use" if exc.errno == errno.EADDRINUSE else f"failed: {exc}"
        raise MetricsPortError(
            f"METRICS_PORT={port}: listening on {settings.host}:{port} for {service} metrics "
            f"{cause}; set METRICS_PORT to a free port, or to 0 to disable the metrics server"
        ) from None
    return _start(server, app)

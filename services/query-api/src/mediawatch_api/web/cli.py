"""``mediawatch run api``."""

from __future__ import annotations

import logging
import signal
from types import FrameType

import click
import uvicorn

from mediawatch_api.settings import ApiSettings, jwt_secret
from mediawatch_api.web.access import AccessFile, AccessLog
from mediawatch_api.web.app import create_app
from mediawatch_api.web.build import build_services
from mediawatch_common.cli.context import pass_settings
from mediawatch_common.logs import held_directory
from mediawatch_common.settings import Settings, SettingsError, load_group
from mediawatch_common.shutdown import exit_by_deadline
from mediawatch_common.storage import StorageSettings
from mediawatch_store import upgrade
from mediawatch_store.settings import ProjectorSettings, database_url

log = logging.getLogger(__name__)


class DeadlineServer(uvicorn.Server):
    """uvicorn's server, with the stop deadline armed when it is asked to stop."""

    def __init__(self, config: uvicorn.Config, deadline_seconds: float) -> None:
        super().__init__(config)
        self.deadline_seconds = deadline_seconds

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        exit_by_deadline(self.deadline_seconds)
        super().handle_exit(sig, frame)


def _stopped(signum: int, _frame: FrameType | None) -> None:
    log.info("query API stopped", extra={"signal": signal.Signals(signum).name})


@click.command()
@pass_settings
def api(settings: Settings) -> None:
    """Serve the query API (port API_PORT, 8000 by default) until Ctrl-C."""
    try:
        own = load_group(ApiSettings)
        projector = load_group(ProjectorSettings)
        storage = load_group(StorageSettings)
        assert isinstance(own, ApiSettings)
        assert isinstance(projector, ProjectorSettings)
        secret = jwt_secret(own)
    except SettingsError as exc:
        raise click.UsageError(str(exc)) from None
    url = database_url(settings)
    upgrade(url, settings.database.schema_name)
    services = build_services(settings, own, url, projector.group_id, storage)
    app = create_app(services, secret)
    access = None
    if own.access_log:
        log_dir, rotation = held_directory() or settings.log.dir, settings.log
        access = AccessFile(
            log_dir / "access.log", rotation.rotation_size, rotation.backup_count
        ).start()
    log.info("query API listening", extra={"host": own.host, "port": own.port})
    config = uvicorn.Config(
        AccessLog(app, access.add) if access else app,
        host=own.host,
        port=own.port,
        log_config=None,
        server_header=False,
        proxy_headers=False,
        access_log=False,
        timeout_graceful_shutdown=own.shutdown_seconds,
    )
    # uvicorn raises the signal it stopped on again once it is done, with the handlers it
    # found: these let the clean-up below run, and the process exit 0.
    for stop_signal in (signal.SIGTERM, signal.SIGINT):
        signal.signal(stop_signal, _stopped)
    try:
        DeadlineServer(config, settings.shutdown.timeout_seconds).run()
    finally:
        if access:
            access.stop()
        services.health.close()
        services.engine.dispose()

"""The API over collaborators that are never reached: no database, no broker."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from litestar import Litestar
from sqlalchemy import create_engine

from mediawatch_api.health import HealthRunner
from mediawatch_api.settings import ApiSettings
from mediawatch_api.users import Account
from mediawatch_api.users.roster import Roster
from mediawatch_api.web import Services, create_app
from mediawatch_api.web.services import EventLog
from mediawatch_common.events import default_codec
from mediawatch_common.kafka import declare_topics
from mediawatch_common.settings import load_settings

SECRET = "unit-test-secret-" + "x" * 32


@contextmanager
def offline_app(
    rate_limit_per_minute: int, accounts: Mapping[str, Account] | None = None
) -> Iterator[Litestar]:
    """The app; a request that needs PostgreSQL or Kafka fails, one refused before does not.

    ``accounts`` (by name) are the accounts a token may belong to; without them, a request
    with a valid token fails when its account is looked up.
    """
    engine = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")
    health = HealthRunner({}, 1.0, 1.0)
    services = Services(
        settings=load_settings({}),
        api=ApiSettings(environment="development", rate_limit_per_minute=rate_limit_per_minute),
        engine=engine,
        events=EventLog(None, declare_topics("unit")),  # type: ignore[arg-type]
        health=health,
        projector_group="unit",
        codec=default_codec(),
    )
    if accounts is not None:
        services.roster = Roster(dict(accounts).get, max_age=3600.0)
    try:
        yield create_app(services, SECRET)
    finally:
        health.close()

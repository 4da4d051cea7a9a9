"""Fixtures of the query-API tests: a unique schema, unique topics, the app, logged-in users."""

from __future__ import annotations

import functools
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from confluent_kafka.admin import AdminClient
from litestar import Litestar
from litestar.testing import TestClient

from mediawatch_api.settings import ApiSettings
from mediawatch_api.web import Services, build_services, create_app
from mediawatch_common.kafka import ConsumerLoop, Topics, declare_topics, ensure_topics
from mediawatch_common.settings import Settings, load_group, load_settings
from mediawatch_common.storage import StorageSettings
from mediawatch_projector import Projection, build_loop
from mediawatch_store import connect, upgrade
from tests.integration.helpers import running

SECRET = "integration-test-secret-" + "x" * 16
PASSWORD = "correct horse battery"


@pytest.fixture
def schema(database_url: str) -> Iterator[str]:
    """A fresh, migrated schema, dropped afterwards."""
    name = f"test_api_{uuid.uuid4().hex[:10]}"
    upgrade(database_url, name)
    yield name
    with psycopg.connect(database_url) as conn:
        conn.execute(f'DROP SCHEMA "{name}" CASCADE')


def created_topics(admin: AdminClient, partitions: int) -> Iterator[Topics]:
    """Every topic under a unique prefix with ``partitions`` each; deleted afterwards."""
    declared = declare_topics(f"test.api.{uuid.uuid4().hex[:10]}", partitions=partitions)
    ensure_topics(admin, declared.all(), 1, 1)
    yield declared
    for future in admin.delete_topics([s.name for s in declared.all()]).values():
        future.result()


@pytest.fixture
def topics(admin: AdminClient) -> Iterator[Topics]:
    """Every topic under a unique prefix, one partition each; deleted afterwards."""
    yield from created_topics(admin, 1)


def env_for(database_url: str, schema: str, topics: Topics, log_dir: Path) -> dict[str, str]:
    """Environment of a service process working in ``schema`` and on ``topics``.

    The process does not ship its own log records: tests count what the logs topic holds.
    """
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DATABASE_SCHEMA=schema,
        KAFKA_TOPIC_PREFIX=topics.jobs.name.rsplit(".", 1)[0],
        LOG_DIR=str(log_dir),
        LOG_CONSOLE="false",
        LOG_SHIP="false",
        PROJECTOR_GROUP_ID=f"test-projector-{schema}",
        HEALTH_CHECK_TEMP_DIR=str(log_dir.parent / "tmp"),
        TRANSCODER_STORAGE_BACKEND="local",
        TRANSCODER_STORAGE_DIR=str(log_dir.parent / "storage"),
    )
    return env


@pytest.fixture
def service_settings(database_url: str, schema: str, topics: Topics, log_dir: Path) -> Settings:
    """Settings pointed at the test schema and topics."""
    loaded = load_settings(env_for(database_url, schema, topics, log_dir))
    assert loaded.database.schema_name == schema
    return loaded


@pytest.fixture
def api_settings() -> ApiSettings:
    """API settings in production mode with a generous rate limit."""
    return ApiSettings(environment="production", jwt_secret=SECRET, rate_limit_per_minute=1000)


@pytest.fixture
def storage_settings(log_dir: Path) -> StorageSettings:
    """The results backend the storage check probes: a directory in the test's folder."""
    return load_group(StorageSettings, {"TRANSCODER_STORAGE_DIR": str(log_dir.parent / "storage")})


@pytest.fixture
def services(
    service_settings: Settings,
    api_settings: ApiSettings,
    storage_settings: StorageSettings,
    database_url: str,
    schema: str,
) -> Iterator[Services]:
    """The API's collaborators against the real stack."""
    group = f"test-projector-{schema}"
    built = build_services(service_settings, api_settings, database_url, group, storage_settings)
    yield built
    built.health.close()
    built.engine.dispose()


@pytest.fixture
def client(services: Services) -> Iterator[TestClient[Litestar]]:
    """An HTTP client of the app."""
    with TestClient(app=create_app(services, SECRET)) as test_client:
        yield test_client


@pytest.fixture
def projector(
    bootstrap: str, database_url: str, schema: str, topics: Topics
) -> Iterator[ConsumerLoop[object]]:
    """The projector writing every test topic into ``schema`` while the test runs."""
    projection = Projection(functools.partial(connect, database_url, schema), f"p-{schema}")
    names = [s.name for s in topics.all()]
    loop = build_loop(projection, bootstrap, names, topics.deadletter.name, f"p-{schema}", 100)
    with running(loop):
        yield loop  # type: ignore[misc]
    projection.close()

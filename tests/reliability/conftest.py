"""Fixtures of the reliability suite: clusters that may be broken on purpose."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .cluster import Cluster


@pytest.fixture(scope="session")
def trio() -> Iterator[Cluster]:
    """Three brokers, replication factor 3, min.insync.replicas 2."""
    cluster = Cluster("rel3", 3, 29092)
    cluster.destroy()
    cluster.up()
    yield cluster
    cluster.destroy()


@pytest.fixture(scope="session")
def solo() -> Iterator[Cluster]:
    """One broker that a test restarts."""
    cluster = Cluster("rel1", 1, 29292)
    cluster.destroy()
    cluster.up()
    yield cluster
    cluster.destroy()

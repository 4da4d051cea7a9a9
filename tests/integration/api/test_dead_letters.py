"""Dead letters on the dashboard: the projector dead-letters poison it reads, projects those
dead letters and their re-drives, and ``GET /deadletters`` counts them per topic and reason."""

from __future__ import annotations

from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from mediawatch_api.web import Services
from mediawatch_common.avro import MARKER
from mediawatch_common.events import DeadLetterRedriven, Producer, encode_event
from mediawatch_common.kafka import ConsumerLoop, EventProducer, Topics, producer_config
from tests.integration.api.helpers import login

from ..helpers import wait_for

pytestmark = pytest.mark.integration

URL = "/api/v1/monitoring/deadletters"
WHO = Producer(service="cli", host="h", pid=1)


def test_poison_is_counted_per_topic_and_reason_and_redrives_leave_the_pending_count(
    client: TestClient[Litestar], services: Services, topics: Topics, bootstrap: str,
    projector: ConsumerLoop[Any],
) -> None:  # fmt: skip
    headers = login(client, services, "viewer1", "viewer")
    producer = EventProducer(producer_config(bootstrap, "test-dead-letters"))
    for value in (b"not avro at all", b"still not avro", MARKER + b"\x00" * 8 + b"body"):
        producer.produce(topics.pipeline.name, value, key="s-1")
    producer.produce(topics.alerts.name, b"junk", key="fp")
    producer.flush()

    def counts() -> dict[str, Any]:
        response = client.get(f"{URL}?hours=1", headers=headers)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    assert wait_for(lambda: counts()["total"] == 4, timeout=60), counts()
    groups = {
        (g["topic"], g["reason"]): (g["count"], g["pending"]) for g in counts()["by_topic_reason"]
    }
    assert groups == {
        (topics.pipeline.name, "DecodeError: bad_marker"): (2, 2),
        (topics.pipeline.name, "DecodeError: unknown_fingerprint"): (1, 1),
        (topics.alerts.name, "DecodeError: too_short"): (1, 1),
    }

    redriven = DeadLetterRedriven(producer=WHO, deadletter_partition=0, deadletter_offset=0,
                                  origin_topic=topics.pipeline.name)  # fmt: skip
    producer.produce(topics.deadletter.name, encode_event(redriven), key="s-1")
    producer.flush()
    assert wait_for(lambda: counts()["pending"] == 3, timeout=60), counts()
    assert counts()["total"] == 4
    assert projector.deadlettered == 4, (
        "the projector's own dead letters are not dead-lettered again"
    )
    assert client.get(f"{URL}?hours=0", headers=headers).status_code == 400
    assert client.get(URL).status_code == 401

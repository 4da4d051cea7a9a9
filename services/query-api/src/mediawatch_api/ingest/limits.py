"""How long the HTTP ingest waits for Kafka and for other requests, and when a claim is stale.

Each bound follows from the API producer's delivery timeout, the longest Kafka may take to
acknowledge or refuse an event before the client library gives it up.
"""

from __future__ import annotations

DELIVERY_TIMEOUT_SECONDS = 10.0
"""``delivery.timeout.ms`` of the API's producer: by then every event is acked or refused."""

DELIVERY_WAIT_SECONDS = DELIVERY_TIMEOUT_SECONDS + 5.0
"""How long a request waits for its events' outcomes (the delivery timeout, and a margin)."""

IN_FLIGHT_WAIT_SECONDS = DELIVERY_TIMEOUT_SECONDS
"""How long a request waits for ids another request is appending before answering 503."""

STALE_SECONDS = 2 * DELIVERY_WAIT_SECONDS
"""Age after which an unconfirmed claim is taken over: twice the longest a live process
holds one (claim, then at most the delivery wait, then confirm), so only the claim of a
process that died or hung is taken."""

"""An instrumented pipeline process for the client's loss tests.

``python -m tests.reliability.client_process BOOTSTRAP PREFIX SPOOL_DIR PAIRS`` reports PAIRS
start/complete pairs (sessions ``s0``..``s9``), prints ``spooled N`` once N events wait in
its spool, then keeps running until it is killed (or, with PAIRS 0, sends what its spool holds
and exits).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from mediawatch_client import ClientConfig, MediaMonitor, ProcessingStage

STAGES = list(ProcessingStage)


def main(bootstrap: str, prefix: str, spool_dir: str, pairs: int) -> None:
    monitor = MediaMonitor(
        ClientConfig(
            bootstrap_servers=bootstrap,
            topic_prefix=prefix,
            producer_name="rel-client",
            spool_dir=Path(spool_dir),
            delivery_timeout=1.0,
            retry_interval=0.5,
            close_timeout=60.0,
        )
    )
    if pairs == 0:
        monitor.complete_processing_sync("restart-marker", "CLEANUP", True, user_id="u")
        monitor.close()
        return
    for n in range(pairs):
        session, stage = f"s{n % 10}", STAGES[(n // 10) % len(STAGES)]
        monitor.start_processing_sync(session, "u", stage)
        monitor.complete_processing_sync(session, stage, True)
    while monitor.counters.get("spooled", 0) < 2 * pairs:
        time.sleep(0.05)
    print(f"spooled {monitor.counters['spooled']}", flush=True)
    while True:
        time.sleep(1)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))

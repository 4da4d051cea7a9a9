from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mediawatch_common.events import ErrorCode, Producer, Stage, StageCompleted
from mediawatch_cost_report import CostLedger

pytestmark = pytest.mark.unit

WHO = Producer(service="t", host="h", pid=1)
T0 = datetime(2026, 11, 30, tzinfo=UTC)


def _done(user: str, stage: Stage, seconds: float, cpu: float | None, size: int | None,
          ok: bool = True) -> StageCompleted:  # fmt: skip
    return StageCompleted(
        producer=WHO, session_id="s", user_id=user, stage=stage, started_at=T0, success=ok,
        duration_seconds=seconds, cpu_percent=cpu, input_size_bytes=size,
        error_code=None if ok else ErrorCode.FFMPEG_FAILED,
    )  # fmt: skip


def test_cpu_seconds_and_volume_add_up_per_user_and_stage() -> None:
    ledger = CostLedger()
    ledger.add(_done("alice", Stage.COMPRESSION, 20.0, 150.0, 2_000_000_000))
    ledger.add(_done("alice", Stage.COMPRESSION, 10.0, 50.0, 1_000_000_000, ok=False))
    ledger.add(_done("bob", Stage.UPLOAD, 2.0, None, None))
    first, second = ledger.rows()
    assert (first.user_id, first.stage, first.runs, first.failures) == (
        "alice",
        "compression",
        2,
        1,
    )
    assert first.cpu_seconds == pytest.approx(35.0)  # 1.5 x 20 + 0.5 x 10
    assert first.gigabytes_in == pytest.approx(3.0)
    assert first.cpu_seconds_per_gb == pytest.approx(35.0 / 3.0)
    assert (second.user_id, second.cpu_seconds, second.cpu_seconds_per_gb) == ("bob", 0.0, None)


def test_a_redelivered_event_is_not_billed_twice() -> None:
    ledger = CostLedger()
    event = _done("alice", Stage.MERGING, 4.0, 100.0, 10)
    ledger.add(event)
    ledger.add(event)
    (row,) = ledger.rows()
    assert row.runs == 1
    assert row.cpu_seconds == pytest.approx(4.0)

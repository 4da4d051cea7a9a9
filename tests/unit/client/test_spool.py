"""The spool keeps messages in order across restarts, survives a torn write, obeys its cap."""

from __future__ import annotations

from pathlib import Path

import pytest

from mediawatch_client.spool import Message, Spool, SpoolLockedError

pytestmark = pytest.mark.unit


def messages(n: int, start: int = 0) -> list[Message]:
    return [Message("t.pipeline", f"s{i % 3}".encode(), f"value-{i}".encode()) for i in
            range(start, start + n)]  # fmt: skip


def drain(spool: Spool, limit: int = 7) -> list[Message]:
    out: list[Message] = []
    while not spool.empty:
        chunk = spool.read(limit)
        assert chunk.messages, "pending messages but nothing read"
        out.extend(chunk.messages)
        spool.advance(chunk)
    return out


def test_messages_come_back_in_order_across_segments(tmp_path: Path) -> None:
    spool = Spool(tmp_path, max_bytes=1 << 20, segment_bytes=200)
    assert spool.append(messages(50)) == 50
    assert spool.pending == 50
    assert len(list(tmp_path.glob("*.seg"))) > 3
    assert drain(spool) == messages(50)
    assert spool.empty
    assert spool.size == 0
    assert list(tmp_path.glob("*.seg")) == []


def test_a_key_of_none_and_empty_values_survive(tmp_path: Path) -> None:
    spool = Spool(tmp_path, max_bytes=1 << 20)
    sent = [Message("a", None, b""), Message("b", b"", b"\x00\xff")]
    spool.append(sent)
    assert drain(spool) == sent


def test_a_reopened_spool_resumes_after_what_was_sent(tmp_path: Path) -> None:
    spool = Spool(tmp_path, max_bytes=1 << 20, segment_bytes=300)
    spool.append(messages(30))
    chunk = spool.read(12)
    spool.advance(chunk)
    spool.close()
    again = Spool(tmp_path, max_bytes=1 << 20, segment_bytes=300)
    assert again.pending == 18
    again.append(messages(5, start=30))
    assert drain(again) == messages(23, start=12)


def test_a_torn_last_record_is_cut_off_and_the_rest_kept(tmp_path: Path) -> None:
    spool = Spool(tmp_path, max_bytes=1 << 20)
    spool.append(messages(10))
    spool.close()
    (segment,) = tmp_path.glob("*.seg")
    with open(segment, "ab") as stream:
        stream.write(b"\x40\x00\x00\x00\x01\x02")  # a header promising 64 bytes, then a crash
    again = Spool(tmp_path, max_bytes=1 << 20)
    assert again.pending == 10
    again.append(messages(1, start=10))
    assert drain(again) == messages(11)


def test_a_full_spool_refuses_the_newest_and_keeps_the_oldest(tmp_path: Path) -> None:
    one = len(b"".join([b"12345678", b"\x0a\x00t.pipeline", b"\x02\x00\x00\x00s0", b"value-0"]))
    spool = Spool(tmp_path, max_bytes=one * 5 + 3)
    assert spool.append(messages(8)) == 5
    assert spool.append(messages(1, start=8)) == 0
    assert drain(spool) == messages(5)
    assert spool.append(messages(2, start=100)) == 2


def test_one_process_owns_a_spool_and_claim_finds_the_next_free_one(tmp_path: Path) -> None:
    first = Spool.claim(tmp_path, "uploads", 1 << 20)
    with pytest.raises(SpoolLockedError, match="in use by another process"):
        Spool(tmp_path / "uploads", 1 << 20)
    second = Spool.claim(tmp_path, "uploads", 1 << 20)
    assert (first.directory.name, second.directory.name) == ("uploads", "uploads-2")
    assert second.siblings() == [tmp_path / "uploads"]
    first.close()
    assert Spool.claim(tmp_path, "uploads", 1 << 20).directory.name == "uploads"

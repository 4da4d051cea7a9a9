"""Query parameters taking one word of a fixed set: any case in, the canonical word out."""

from __future__ import annotations

import re

import pytest

from mediawatch_api.web.choices import (
    AlertLevel,
    AlertStatus,
    Choice,
    LogLevel,
    SilenceState,
    Stage,
    decode_choice,
    is_choice,
)

pytestmark = pytest.mark.unit

SETS: list[type[Choice]] = [LogLevel, AlertLevel, Stage, AlertStatus, SilenceState]


@pytest.mark.parametrize("choice", SETS)
def test_every_case_of_a_word_parses_to_its_canonical_spelling(choice: type[Choice]) -> None:
    for word in choice.allowed:
        for spelling in (word, word.upper(), word.lower(), word.title(), word.swapcase()):
            parsed = choice.parse(spelling)
            assert (parsed, type(parsed)) == (word, choice), spelling


@pytest.mark.parametrize("choice", SETS)
def test_the_pattern_matches_exactly_the_words_in_any_case(choice: type[Choice]) -> None:
    pattern = re.compile(choice.pattern())
    for word in choice.allowed:
        assert pattern.search(word.swapcase())
        assert pattern.search(word.title())
        assert not pattern.search(word + "s")
        assert not pattern.search(" " + word)
    assert not pattern.search("")


def test_an_unknown_word_is_refused_naming_the_words() -> None:
    with pytest.raises(ValueError, match=r"one of DEBUG, INFO, WARNING, ERROR, CRITICAL .*'loud'"):
        LogLevel.parse("loud")
    with pytest.raises(ValueError, match="got 'xxxx"):
        Stage.parse("x" * 10_000)  # only the start of a long value is repeated
    with pytest.raises(ValueError, match="got 3"):
        AlertStatus.parse(3)


def test_the_sets_follow_the_event_contract() -> None:
    assert Stage.allowed == (
        "upload", "analysis", "preparation", "merging", "compression", "storage_upload", "cleanup",
    )  # fmt: skip
    assert AlertLevel.allowed == ("info", "warning", "error", "critical")
    assert LogLevel.allowed == ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def test_litestar_decodes_only_choices_through_parse() -> None:
    assert is_choice(SilenceState)
    assert not is_choice(str)
    assert not is_choice("active")
    assert decode_choice(SilenceState, "Pending") == "pending"

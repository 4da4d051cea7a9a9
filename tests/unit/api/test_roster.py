"""A token's account is read again once what was read of it is too old; a failed read keeps
the last answer, and refuses an account never read."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient

from mediawatch_api.users import User
from mediawatch_api.users.roster import UNKNOWN, AccountsUnavailableError, Roster
from mediawatch_api.web.auth import build_jwt, issue_token
from tests.unit.api.offline import SECRET, offline_app

pytestmark = pytest.mark.unit


class Accounts:
    """A users table that counts its reads and can be made unreachable."""

    def __init__(self, **roles: str) -> None:
        self.roles = dict(roles)
        self.reads = 0
        self.down = False

    def __call__(self, name: str) -> str | None:
        self.reads += 1
        if self.down:
            raise OSError("connection refused")
        return self.roles.get(name)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_an_account_is_read_once_then_again_when_its_reading_is_too_old() -> None:
    accounts, clock = Accounts(ana="viewer"), Clock()
    roster = Roster(accounts, max_age=5.0, clock=clock)

    assert roster.recent("ana") == UNKNOWN
    assert roster.read("ana") == "viewer"
    clock.now += 4.9
    assert roster.recent("ana") == "viewer"
    accounts.roles["ana"] = "admin"
    clock.now += 0.1
    assert roster.recent("ana") == UNKNOWN
    assert roster.read("ana") == "admin"
    assert accounts.reads == 2


def test_a_removed_account_reads_as_none_and_that_answer_is_kept_too() -> None:
    accounts, clock = Accounts(ana="viewer"), Clock()
    roster = Roster(accounts, max_age=5.0, clock=clock)
    roster.read("ana")
    del accounts.roles["ana"]
    clock.now += 5.0

    assert roster.read("ana") is None
    assert roster.recent("ana") is None


def test_a_failed_read_keeps_the_last_answer_and_refuses_an_account_never_read() -> None:
    accounts, clock = Accounts(ana="viewer", bo="admin"), Clock()
    roster = Roster(accounts, max_age=5.0, clock=clock)
    roster.read("ana")
    accounts.down = True
    clock.now += 60.0

    assert roster.read("ana") == "viewer"
    with pytest.raises(AccountsUnavailableError, match="connection refused"):
        roster.read("bo")


def test_the_oldest_readings_go_first_beyond_the_bound() -> None:
    accounts, clock = Accounts(a="viewer", b="viewer", c="viewer"), Clock()
    roster = Roster(accounts, max_age=5.0, clock=clock, most=2)
    for name in ("a", "b", "c"):
        roster.read(name)

    assert [roster.recent(n) for n in ("a", "b", "c")] == [UNKNOWN, "viewer", "viewer"]


def _bearer(name: str, role: str) -> dict[str, str]:
    """A token signed with the offline app's secret, for ``name`` as ``role``."""
    issuer = build_jwt(SECRET, 5, Roster(lambda _: None, max_age=1.0))
    return {"Authorization": f"Bearer {issue_token(issuer, User(name, role), 5)}"}


STATS = "/api/v1/monitoring/stats"


def test_a_token_whose_account_cannot_be_read_is_a_503_not_a_pass() -> None:
    # The offline app's PostgreSQL is unreachable and it has read no account yet.
    with offline_app(rate_limit_per_minute=100) as app, TestClient(app) as client:
        answer = client.get(STATS, headers=_bearer("ana", "viewer"))

    assert answer.status_code == 503
    assert answer.json()["detail"] == "accounts cannot be checked; try again"


def test_a_token_of_an_account_that_no_longer_exists_is_a_401() -> None:
    with offline_app(rate_limit_per_minute=100, accounts={}) as app, TestClient(app) as client:
        answer = client.get(STATS, headers=_bearer("ana", "viewer"))

    assert answer.status_code == 401


def test_a_token_carries_the_account_s_current_role_not_the_one_it_was_issued_with() -> None:
    demoted = {"ana": "viewer"}
    with offline_app(rate_limit_per_minute=100, accounts=demoted) as app, TestClient(app) as client:
        answer = client.post("/api/v1/monitoring/cleanup", headers=_bearer("ana", "admin"))

    assert (answer.status_code, answer.json()["detail"]) == (403, "admin role required")

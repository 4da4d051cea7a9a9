"""A token's account is read again once what was read of it is too old; a failed read keeps
the last answer, and refuses an account never read. A token of a removed account, or issued
before the password was set again, is refused; a changed role applies."""

from __future__ import annotations

import pytest
from litestar.testing import TestClient

from mediawatch_api.users import Account, User
from mediawatch_api.users.roster import UNREAD, AccountsUnavailableError, Roster
from mediawatch_api.web.auth import build_jwt, issue_token
from tests.unit.api.offline import SECRET, offline_app

pytestmark = pytest.mark.unit


class Accounts:
    """A users table that counts its reads and can be made unreachable."""

    def __init__(self, **roles: str) -> None:
        self.roles = dict(roles)
        self.reads = 0
        self.down = False

    def __call__(self, name: str) -> Account | None:
        self.reads += 1
        if self.down:
            raise OSError("connection refused")
        role = self.roles.get(name)
        return Account(role, "c1") if role else None


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_an_account_is_read_once_then_again_when_its_reading_is_too_old() -> None:
    accounts, clock = Accounts(ana="viewer"), Clock()
    roster = Roster(accounts, max_age=5.0, clock=clock)

    assert roster.recent("ana") is UNREAD
    assert roster.read("ana") == Account("viewer", "c1")
    clock.now += 4.9
    assert roster.recent("ana") == Account("viewer", "c1")
    accounts.roles["ana"] = "admin"
    clock.now += 0.1
    assert roster.recent("ana") is UNREAD
    assert roster.read("ana") == Account("admin", "c1")
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

    assert roster.read("ana") == Account("viewer", "c1")
    with pytest.raises(AccountsUnavailableError, match="connection refused"):
        roster.read("bo")


def test_the_oldest_readings_go_first_beyond_the_bound() -> None:
    accounts, clock = Accounts(a="viewer", b="viewer", c="viewer"), Clock()
    roster = Roster(accounts, max_age=5.0, clock=clock, most=2)
    for name in ("a", "b", "c"):
        roster.read(name)

    seen = Account("viewer", "c1")
    assert [roster.recent(n) for n in ("a", "b", "c")] == [UNREAD, seen, seen]


def _bearer(name: str, role: str, credentials: str = "c1") -> dict[str, str]:
    """A token signed with the offline app's secret, for ``name`` as ``role``."""
    issuer = build_jwt(SECRET, 5, Roster(lambda _: None, max_age=1.0))
    user = User(name, role, credentials)
    return {"Authorization": f"Bearer {issue_token(issuer, user, 5)}"}


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


def test_a_token_issued_before_the_password_was_set_again_is_a_401() -> None:
    reset = {"ana": Account("producer", "c2")}
    with offline_app(rate_limit_per_minute=100, accounts=reset) as app, TestClient(app) as client:
        before = client.get(STATS, headers=_bearer("ana", "producer", credentials="c1"))
        after = client.get(STATS, headers=_bearer("ana", "producer", credentials="c2"))

    # 403 after: signed in, and then refused by the producer guard, which needs no database.
    assert (before.status_code, after.status_code) == (401, 403)


def test_a_token_carries_the_account_s_current_role_not_the_one_it_was_issued_with() -> None:
    demoted = {"ana": Account("viewer", "c1")}
    with offline_app(rate_limit_per_minute=100, accounts=demoted) as app, TestClient(app) as client:
        answer = client.post("/api/v1/monitoring/cleanup", headers=_bearer("ana", "admin"))

    assert (answer.status_code, answer.json()["detail"]) == (403, "admin role required")

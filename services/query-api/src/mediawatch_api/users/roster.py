"""Which accounts exist now, their role and credentials: what a signed token is checked
against.

A token stays valid until it expires, but the account behind it may be removed, given
another role or a new password meanwhile. Every request's account is looked up again once
what was last read of it is older than ``max_age`` seconds, so such a change takes effect on
every API process within that time, at the cost of one indexed read per account and period.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Final

from sqlalchemy import Engine

from mediawatch_api.users.accounts import Account, find_account


class Unread:
    """The type of :data:`UNREAD`."""


UNREAD: Final = Unread()
"""What :meth:`Roster.recent` answers when nothing recent enough is known of an account."""


class AccountsUnavailableError(RuntimeError):
    """The accounts could not be read, and nothing was known of this one before."""


class Roster:
    """Each account (None: no such account), as read at most ``max_age`` s ago.

    When the accounts cannot be read, the last answer for an account is kept, however old
    (while PostgreSQL is down nobody can remove an account either), and counts as read then:
    an outage costs one failed read per account and period, not one per request.
    """

    def __init__(
        self,
        lookup: Callable[[str], Account | None],
        max_age: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        most: int = 4096,
    ) -> None:
        self._lookup = lookup
        self._max_age = max_age
        self._clock = clock
        self._most = most
        self._lock = threading.Lock()
        self._read: OrderedDict[str, tuple[Account | None, float]] = OrderedDict()

    def recent(self, name: str) -> Account | Unread | None:
        """The account as read less than ``max_age`` s ago, None for no such account, or
        :data:`UNREAD` when that needs a fresh read (:meth:`read`)."""
        with self._lock:
            found = self._read.get(name)
        if found is None or self._clock() - found[1] >= self._max_age:
            return UNREAD
        return found[0]

    def read(self, name: str) -> Account | None:
        """Read ``name``'s account now (blocking); None when there is no such account.

        Raises:
            AccountsUnavailableError: the read failed and nothing was known of ``name`` before.
        """
        try:
            account = self._lookup(name)
        except Exception as exc:
            with self._lock:
                found = self._read.get(name)
            if found is None:
                raise AccountsUnavailableError(f"accounts cannot be read: {exc}") from exc
            account = found[0]
        with self._lock:
            self._read.pop(name, None)
            self._read[name] = (account, self._clock())
            while len(self._read) > self._most:
                self._read.popitem(last=False)
        return account


def roster_of(engine: Engine, max_age: float) -> Roster:
    """A roster reading the ``users`` table through ``engine``."""

    def lookup(name: str) -> Account | None:
        with engine.connect() as conn:
            return find_account(conn, name)

    return Roster(lookup, max_age)

"""Users in PostgreSQL, passwords hashed with argon2id."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, text

ROLES = ("viewer", "admin", "producer")
_HASHER = PasswordHasher()
# Verified when the user does not exist, so both cases take the same time.
_DUMMY_HASH = _HASHER.hash("no such user")


@dataclass(frozen=True, slots=True)
class User:
    """An authenticated account."""

    username: str
    role: str
    credentials: str = field(default="", compare=False, repr=False)
    """:func:`credentials_of` the password hash the account signed in with."""

    @property
    def is_admin(self) -> bool:
        """Whether the account may use the admin endpoints."""
        return self.role == "admin"

    @property
    def is_producer(self) -> bool:
        """Whether the account may only append events (``POST /api/v1/events``)."""
        return self.role == "producer"


def add_user(conn: Connection, username: str, password: str, role: str) -> None:
    """Create or replace ``username`` with ``password`` and ``role``.

    Raises:
        ValueError: unknown role, empty name or a password under 8 characters.
    """
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if not username.strip() or len(username) > 64:
        raise ValueError("user name must be 1 to 64 characters")
    if len(password) < 8:
        raise ValueError("password must have at least 8 characters")
    conn.execute(
        text(
            "INSERT INTO users (username, password_hash, role) VALUES (:u, :h, :r) "
            "ON CONFLICT (username) DO UPDATE SET password_hash = EXCLUDED.password_hash, "
            "role = EXCLUDED.role"
        ),
        {"u": username, "h": _HASHER.hash(password), "r": role},
    )


def list_users(conn: Connection) -> list[User]:
    """Every account, by name."""
    rows = conn.execute(text("SELECT username, role FROM users ORDER BY username")).all()
    return [User(row[0], row[1]) for row in rows]


def remove_user(conn: Connection, username: str) -> bool:
    """Delete ``username``; False when there was no such account."""
    deleted = conn.execute(text("DELETE FROM users WHERE username = :u"), {"u": username})
    return deleted.rowcount > 0


@dataclass(frozen=True, slots=True)
class Account:
    """What a token is checked against: the account's role and :func:`credentials_of` its
    password hash, which changes whenever the password is set again."""

    role: str
    credentials: str


def credentials_of(password_hash: str) -> str:
    """A short fingerprint of ``password_hash``: it tells one setting of the password from
    the next (each hash has its own salt) and reveals nothing of the hash."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def find_account(conn: Connection, username: str) -> Account | None:
    """The role and credentials of ``username``, if there is such an account."""
    row = conn.execute(
        text("SELECT role, password_hash FROM users WHERE username = :u"), {"u": username}
    ).first()
    return Account(row[0], credentials_of(row[1])) if row else None


def authenticate(conn: Connection, username: str, password: str) -> User | None:
    """The account when ``password`` is right, else None."""
    row = conn.execute(
        text("SELECT role, password_hash FROM users WHERE username = :u"), {"u": username}
    ).first()
    try:
        _HASHER.verify(row[1] if row else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    return User(username, row[0], credentials_of(row[1])) if row else None

"""Accounts of the query API: argon2-hashed passwords and a role.

Roles: viewer (reads), admin (reads and admin actions), producer (only sends events).
"""

from __future__ import annotations

from mediawatch_api.users.accounts import (
    ROLES,
    Account,
    User,
    add_user,
    authenticate,
    list_users,
    remove_user,
)

__all__ = [
    "ROLES",
    "Account",
    "User",
    "add_user",
    "authenticate",
    "list_users",
    "remove_user",
]

"""The one error a bad configuration raises."""

from __future__ import annotations


class SettingsError(ValueError):
    """A configuration value is missing or invalid; the message names the variable."""

"""What every command receives: the settings, read once at start-up."""

from __future__ import annotations

import click

from mediawatch_common.settings import Settings

pass_settings = click.make_pass_decorator(Settings)

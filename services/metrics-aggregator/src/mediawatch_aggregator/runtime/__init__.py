"""The Faust runtime: the app, its table and transport, internal topics, the closing timer.

Import its modules directly (``mediawatch_aggregator.runtime.faust_app``): loading Faust takes
over a second, which ``mediawatch windows`` and the unit tests of the other modules need not pay.
"""

from __future__ import annotations

__all__: list[str] = []

"""``python -m mediawatch_common.cli``: the ``mediawatch`` command, for a service that starts
copies of itself with the same interpreter."""

from mediawatch_common.cli import main

main()

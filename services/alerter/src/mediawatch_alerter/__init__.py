"""mediawatch_alerter."""

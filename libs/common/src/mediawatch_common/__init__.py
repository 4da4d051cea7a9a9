"""mediawatch_common."""
